/*
 * fuzz_config: bytes -> config_parse. A failed parse always says why; a
 * successful one leaves a configuration whose invariants hold.
 */
#include <assert.h>
#include <string.h>

#include "fuzz.h"
#include "config.h"
#include "banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	struct config_errors errs;
	int r;

	if (size > 65536)
		return 0;
	config_errors_init(&errs);
	r = config_parse(&cfg, "fuzz.conf", (const char *)data, size, &errs);
	if (r == -1) {
		assert(errs.n > 0);
		for (size_t i = 0; i < errs.n; i++)
			assert(strncmp(errs.msg[i], "fuzz.conf", 9) == 0);
	} else {
		assert(errs.n == 0);
		assert(cfg.norgs >= 1 && cfg.ninclude >= 1);
		assert(cfg.listen && cfg.hook_path[0] == '/');
		assert(cfg.workers >= 1 && cfg.max_attempts >= 1);
		for (size_t i = 0; i < cfg.norgs; i++)
			assert(strncmp(cfg.orgs[i].url, "http", 4) == 0);
		for (size_t i = 0; i < cfg.nrepos; i++)
			assert(cfg.repos[i].org < cfg.norgs);
		for (size_t i = 0; i < cfg.nrules; i++)
			assert(cfg.rules[i].glob[0] &&
			    cfg.rules[i].glob[0] != '/');
		if (cfg.allow_unauthenticated)
			assert(strstr(cfg.listen, "127.") ||
			    strstr(cfg.listen, "::1") ||
			    strstr(cfg.listen, "localhost"));
	}
	config_release(&cfg);
	config_errors_release(&errs);
	return 0;
}
