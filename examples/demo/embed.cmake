# Turns a file into a C source defining `const char NAME[]` (NUL-terminated)
# and `const size_t NAME_len`, so the demo binary carries its own page.
#   cmake -DIN=page.html -DOUT=page.c -DNAME=symbol -P embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR len "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# Break the array into lines of 16 bytes to keep the file readable.
string(REGEX REPLACE "((0x..,){16})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}.tmp"
     "/* Generated from ${IN} by embed.cmake; do not edit. */\n"
     "#include <stddef.h>\n"
     "extern const char ${NAME}[];\n"
     "extern const size_t ${NAME}_len;\n"
     "const char ${NAME}[] = {\n${bytes}0};\n"
     "const size_t ${NAME}_len = ${len};\n")
# Only touch OUT when it changed, so an unchanged page does not relink.
configure_file("${OUT}.tmp" "${OUT}" COPYONLY)
file(REMOVE "${OUT}.tmp")
