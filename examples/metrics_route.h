/*
 * The optional GET /metrics route of the example programs (testserver,
 * clusternode, demo): the server's metrics in the Prometheus text format,
 * answered to a request forwarded with forward_unmatched on.
 */
#ifndef SOCKJS_EXAMPLES_METRICS_ROUTE_H
#define SOCKJS_EXAMPLES_METRICS_ROUTE_H

#include "sockjs.h"

/* 1 when the REQUEST event is GET /metrics (a query string allowed). */
int metrics_route_matches(sockjs_server *srv, const sockjs_event *ev);

/* Answers with 200 and the metrics, or 500 when they cannot be rendered. */
void metrics_route_respond(sockjs_server *srv, sockjs_conn_id request);

#endif
