#include <sockjs.h>
#include <stdio.h>
int main(void) {
  printf("%s\n", sockjs_version_string());
  return sockjs_version_num() == SOCKJS_VERSION_NUM ? 0 : 1;
}
