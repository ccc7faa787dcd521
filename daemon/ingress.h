/*
 * ingress: the HTTP side of datadiffd (design.md 5.5), on libmicrohttpd
 * with an internal thread pool and epoll.
 *
 *   POST {hook_path}  Basic auth (constant-time), body capped (early 413),
 *                     event_parse(), the decision whether it needs work,
 *                     queue_submit(); 202/200/400/401/403/413/503
 *   GET /healthz      200 while the process serves
 *   GET /readyz       200 when the spool is writable and workers run
 *   GET /metrics      Prometheus text
 *
 * The HTTP threads never talk to Azure DevOps: they authenticate, parse,
 * validate, write the job durably and answer. Each request holds a
 * reference to the configuration it started with (liveconf), so a reload
 * never changes the rules under a request.
 */
#ifndef INGRESS_H
#define INGRESS_H

#include "compat.h"
#include "queue.h"

struct ingress;

/*
 * Open a listening TCP socket on "host:port" or "[v6]:port" (port 0: any
 * free port). Returns the socket, or -1 with err set.
 */
int ingress_listen(const char *listen, char *err, size_t errlen);

/* The local address of a listening socket as "host:port" in out. */
void ingress_local_address(int fd, char *out, size_t outlen);

/*
 * Serve on the listening socket fd (ours or systemd's), submitting to q.
 * The connection limits come from the configuration current at start.
 * Returns 0, or -1 with err set.
 */
int ingress_start(
    struct ingress **ip, int fd, struct queue *q, char *err, size_t errlen);

/* Stop accepting connections; requests in progress complete. */
void ingress_quiesce(struct ingress *in);

/* Stop serving and free. */
void ingress_stop(struct ingress *in);

#endif /* INGRESS_H */
