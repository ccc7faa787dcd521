/*
 * liveconf: the configuration in force. SIGHUP swaps in a new one while
 * HTTP requests and jobs keep using the one they started with: a reader
 * takes a reference with liveconf_get() and gives it back with
 * liveconf_put(); a configuration is freed when it is no longer current
 * and its last reader is done.
 */
#ifndef LIVECONF_H
#define LIVECONF_H

#include "config.h"

/* Make cfg current; takes ownership of its contents (cfg is zeroed). */
void liveconf_set(struct config *cfg);

/* A reference to the current configuration (never NULL after a set). */
const struct config *liveconf_get(void);

/* Give back a reference from liveconf_get(). */
void liveconf_put(const struct config *cfg);

/* Drop the current configuration (at exit, once no reader is left). */
void liveconf_clear(void);

#endif /* LIVECONF_H */
