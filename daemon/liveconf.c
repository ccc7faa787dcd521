/*
 * liveconf.c: the current configuration, reference-counted (see
 * liveconf.h).
 */
#include "liveconf.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"
#include "banned.h"

struct holder {
	struct config cfg; /* first: a const struct config * is a holder */
	unsigned refs;     /* readers, plus one while current */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct holder *current;

static void
holder_drop(struct holder *h)
{
	/* lock held */
	if (h && --h->refs == 0) {
		config_release(&h->cfg);
		free(h);
	}
}

void
liveconf_set(struct config *cfg)
{
	struct holder *h = xcalloc(1, sizeof(*h));

	h->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	h->refs = 1;
	pthread_mutex_lock(&lock);
	holder_drop(current);
	current = h;
	pthread_mutex_unlock(&lock);
}

const struct config *
liveconf_get(void)
{
	struct holder *h;

	pthread_mutex_lock(&lock);
	h = current;
	if (h)
		h->refs++;
	pthread_mutex_unlock(&lock);
	return h ? &h->cfg : NULL;
}

void
liveconf_put(const struct config *cfg)
{
	if (!cfg)
		return;
	pthread_mutex_lock(&lock);
	/* cfg is the first member of its holder */
	holder_drop((struct holder *)(void *)(uintptr_t)cfg);
	pthread_mutex_unlock(&lock);
}

void
liveconf_clear(void)
{
	pthread_mutex_lock(&lock);
	holder_drop(current);
	current = NULL;
	pthread_mutex_unlock(&lock);
}
