/*
 * test_config.c: the configuration file (design.md 5.4): defaults, every
 * error path with its line number, lists, rules, organization matching,
 * secrets and the state directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "config.h"
#include "strbuf.h"
#include "banned.h"

#define ORG "[azure-devops]\norganization_url = https://dev.azure.com/contoso\n"

static int
parse(const char *text, struct config *cfg, struct config_errors *errs)
{
	config_errors_init(errs);
	return config_parse(cfg, "t.conf", text, strlen(text), errs);
}

/* the errors joined by newlines */
static void
joined(const struct config_errors *errs, struct strbuf *sb)
{
	for (size_t i = 0; i < errs->n; i++) {
		strbuf_addstr(sb, errs->msg[i]);
		strbuf_addch(sb, '\n');
	}
}

static void
test_defaults(void **state)
{
	struct config cfg;
	struct config_errors errs;

	(void)state;
	assert_int_equal(parse(ORG, &cfg, &errs), 0);
	assert_string_equal(cfg.listen, "127.0.0.1:8080");
	assert_string_equal(cfg.hook_path, "/hooks/azure-devops");
	assert_string_equal(cfg.auth_user, "ado");
	assert_string_equal(
	    cfg.auth_password_file, "/etc/datadiffd/hook-password");
	assert_int_equal(cfg.max_body_bytes, 2 * 1024 * 1024);
	assert_string_equal(cfg.pat_file, "/etc/datadiffd/ado-pat");
	assert_string_equal(cfg.api_version, "7.1");
	assert_int_equal(cfg.timeout_seconds, 60);
	assert_null(cfg.state_dir);
	assert_int_equal(cfg.workers, 2);
	assert_int_equal(cfg.max_attempts, 8);
	assert_int_equal(cfg.ninclude, 2);
	assert_string_equal(cfg.include[0], "*.csv");
	assert_string_equal(cfg.include[1], "*.tsv");
	assert_int_equal(cfg.max_file_bytes, (size_t)1 << 30);
	assert_int_equal(cfg.samples, 5);
	assert_int_equal(cfg.skip_drafts, 0);
	assert_int_equal(cfg.fail_on, 0);
	assert_string_equal(cfg.thread_status, "active");
	assert_int_equal(cfg.norgs, 1);
	assert_string_equal(cfg.orgs[0].url, "https://dev.azure.com/contoso");
	config_release(&cfg);
	config_errors_release(&errs);
}

static void
test_example_file_parses(void **state)
{
	FILE *f = fopen("config/datadiffd.conf", "r");
	char buf[16384];
	size_t n;
	struct config cfg;
	struct config_errors errs;
	struct strbuf sb;

	(void)state;
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	strbuf_init(&sb, 65536);
	if (parse(buf, &cfg, &errs) != 0) {
		joined(&errs, &sb);
		fail_msg("config/datadiffd.conf: %s", sb.buf);
	}
	assert_int_equal(cfg.nexclude, 0);
	strbuf_release(&sb);
	config_release(&cfg);
	config_errors_release(&errs);
}

static void
test_values_and_lists(void **state)
{
	struct config cfg;
	struct config_errors errs;
	const char *text =
	    "# comment\n"
	    "[server]\n"
	    "listen = [::1]:0\n"
	    "max_body_bytes = 64K\n"
	    "allow_unauthenticated = yes ; inline comment\n" ORG
	    "organization_url = https://Fabrikam.visualstudio.com/\n"
	    "repository = https://dev.azure.com/contoso/My%20Project/_git/dbt\n"
	    "[queue]\n"
	    "  workers = 4\n"
	    "state_dir = /tmp/x\n"
	    "[diff]\n"
	    "include = data/*.csv, *.psv\n"
	    "include = /seeds/*.csv\n"
	    "exclude = tmp/*\n"
	    "fail_on = duplicate_keys\n"
	    "fail_on = malformed, schema_change\n"
	    "thread_status = closed\n"
	    "[rule \"data/sales/*.csv\"]\n"
	    "key = region, order id\n"
	    "ignore = updated_at\n"
	    "ignore = loaded_at,batch\n"
	    "tolerance = 0.005\n"
	    "[rule \"/*.tsv\"]\n"
	    "delimiter = tab\n"
	    "samples = 0\n"
	    "fail_on = null_keys\n";

	(void)state;
	assert_int_equal(parse(text, &cfg, &errs), 0);
	assert_string_equal(cfg.listen, "[::1]:0");
	assert_int_equal(cfg.max_body_bytes, 65536);
	assert_int_equal(cfg.allow_unauthenticated, 1);
	assert_int_equal(cfg.norgs, 2);
	assert_string_equal(
	    cfg.orgs[1].url, "https://fabrikam.visualstudio.com");
	assert_int_equal(cfg.nrepos, 1);
	assert_string_equal(cfg.repos[0].project, "My Project");
	assert_string_equal(cfg.repos[0].name, "dbt");
	assert_int_equal(cfg.repos[0].org, 0);
	assert_int_equal(cfg.workers, 4);
	assert_string_equal(cfg.state_dir, "/tmp/x");
	assert_string_equal(cfg.thread_status, "closed");
	/* the file's include lines replace the default and add up */
	assert_int_equal(cfg.ninclude, 3);
	assert_string_equal(cfg.include[2], "seeds/*.csv");
	assert_int_equal(cfg.fail_on,
	    FAIL_ON_DUPLICATE_KEYS | FAIL_ON_MALFORMED | FAIL_ON_SCHEMA_CHANGE);
	assert_int_equal(cfg.nrules, 2);
	assert_string_equal(cfg.rules[0].glob, "data/sales/*.csv");
	assert_int_equal(cfg.rules[0].line, 20);
	assert_int_equal(cfg.rules[0].nkey, 2);
	assert_string_equal(cfg.rules[0].key[1], "order id");
	assert_int_equal(cfg.rules[0].nignore, 3);
	assert_true(cfg.rules[0].has_tolerance);
	assert_true(cfg.rules[0].tolerance == 0.005);
	assert_string_equal(cfg.rules[1].glob, "*.tsv");
	assert_int_equal(cfg.rules[1].delimiter, '\t');
	assert_true(cfg.rules[1].has_samples);
	assert_int_equal(cfg.rules[1].samples, 0);
	assert_int_equal(cfg.rules[1].fail_on, FAIL_ON_NULL_KEYS);

	assert_true(config_path_selected(&cfg, "data/a.csv"));
	assert_true(config_path_selected(&cfg, "x/y.psv"));
	assert_false(config_path_selected(&cfg, "x/y.csv"));
	assert_true(config_path_selected(&cfg, "seeds/s.csv"));
	assert_false(config_path_selected(&cfg, "tmp/t.psv"));
	assert_ptr_equal(
	    config_rule_for(&cfg, "data/sales/q3.csv"), &cfg.rules[0]);
	assert_ptr_equal(config_rule_for(&cfg, "a/b.tsv"), &cfg.rules[1]);
	assert_null(config_rule_for(&cfg, "data/other.csv"));
	config_release(&cfg);
	config_errors_release(&errs);
}

static const struct {
	const char *name;
	const char *text;
	const char *errors; /* every expected message, one per line */
} error_cases[] = {
    {"unknown key", ORG "[server]\nlisten = 1.2.3.4:80\nlsten = x\n",
	"t.conf:5: unknown key 'lsten' in [server]\n"},
    {"unknown section", ORG "[servr]\nlisten = x\n",
	"t.conf:3: unknown section '[servr]' (server, azure-devops, queue, "
	"diff or rule \"GLOB\")\n"},
    {"key outside a section", "workers = 2\n" ORG,
	"t.conf:1: 'workers' outside of any section\n"},
    {"no value", ORG "[queue]\nworkers\n",
	"t.conf:4: expected 'key = value'\n"},
    {"bad header", ORG "[queue\n", "t.conf:3: section header without ']'\n"},
    {"set twice", ORG "[queue]\nworkers = 2\n\nworkers = 3\n",
	"t.conf:6: workers: set twice (first on line 4)\n"},
    {"out of range", ORG "[queue]\nworkers = 0\nmax_attempts = 1000\n",
	"t.conf:4: workers: 0 is out of range (1 to 64)\n"
	"t.conf:5: max_attempts: 1000 is out of range (1 to 100)\n"},
    {"not a number", ORG "[server]\nmax_body_bytes = lots\n",
	"t.conf:4: max_body_bytes: 'lots' is not a whole number (suffixes K, "
	"M, G allowed)\n"},
    {"bad bool", ORG "[diff]\nskip_drafts = maybe\n",
	"t.conf:4: skip_drafts: 'maybe' is not yes or no\n"},
    {"bad listen", ORG "[server]\nlisten = localhost\n",
	"t.conf:4: listen: 'localhost' is not host:port or [address]:port\n"},
    {"bad hook path", ORG "[server]\nhook_path = hooks\nauth_user = a:b\n",
	"t.conf:4: hook_path: 'hooks' must start with '/' and hold only "
	"letters, digits and /_.-~\n"
	"t.conf:5: auth_user: must not contain ':'\n"},
    {"built-in path", ORG "[server]\nhook_path = /metrics\n",
	"t.conf:4: hook_path: '/metrics' is taken by a built-in endpoint\n"},
    {"relative path", ORG "[azure-devops]\npat_file = pat.txt\n",
	"t.conf:4: pat_file: 'pat.txt' is not an absolute path\n"},
    {"plain http org",
	"[azure-devops]\norganization_url = http://dev.azure.com/x\n",
	"t.conf:2: organization_url: 'http://dev.azure.com/x' must use https "
	"(plain http only for loopback hosts)\n"
	"t.conf: [azure-devops]: organization_url is required (the "
	"organizations to serve)\n"},
    {"not a url", "[azure-devops]\norganization_url = dev.azure.com/x\n",
	"t.conf:2: organization_url: 'dev.azure.com/x' is not an http(s) URL\n"
	"t.conf: [azure-devops]: organization_url is required (the "
	"organizations to serve)\n"},
    {"no organization", "[queue]\nworkers = 1\n",
	"t.conf: [azure-devops]: organization_url is required (the "
	"organizations to serve)\n"},
    {"repository elsewhere",
	ORG "repository = https://dev.azure.com/other/p/_git/r\n",
	"t.conf:3: repository: 'https://dev.azure.com/other/p/_git/r' is not in a "
	"configured organization_url\n"},
    {"not a repository url",
	ORG "repository = https://dev.azure.com/contoso/p\n",
	"t.conf:3: repository: 'https://dev.azure.com/contoso/p' is not a "
	"repository URL (https://dev.azure.com/ORG/PROJECT/_git/REPOSITORY)\n"},
    {"bad api version", ORG "api_version = latest\n",
	"t.conf:3: api_version: 'latest' is not a version like 7.1\n"},
    {"bad thread status", ORG "[diff]\nthread_status = resolved\n",
	"t.conf:4: thread_status: 'resolved' is neither active nor closed\n"},
    {"bad fail_on", ORG "[diff]\nfail_on = duplicate_keys, typo\n",
	"t.conf:4: fail_on: unknown condition 'typo' (duplicate_keys, "
	"null_keys, malformed or schema_change)\n"},
    {"empty include", ORG "[diff]\ninclude =\n",
	"t.conf: [diff]: include is empty, so no file would be diffed\n"},
    {"unauthenticated off loopback",
	ORG "[server]\nlisten = 0.0.0.0:8080\nallow_unauthenticated = yes\n",
	"t.conf: [server]: allow_unauthenticated = yes needs a loopback "
	"listen address, not '0.0.0.0:8080'\n"},
    {"rule without settings", ORG "[rule \"*.csv\"]\n\n[diff]\n",
	"t.conf:3: [rule \"*.csv\"]: sets nothing (key, ignore, tolerance, "
	"delimiter, samples or fail_on)\n"},
    {"rule with an empty glob", ORG "[rule \"\"]\nkey = id\n",
	"t.conf:3: [rule]: empty glob\n"},
    {"rule key twice, tolerance bad",
	ORG "[rule \"*.csv\"]\nkey = a\nkey = b\ntolerance = -1\n"
	    "delimiter = ab\n",
	"t.conf:5: key: set twice (first on line 4)\n"
	"t.conf:6: tolerance: '-1' is not a number >= 0\n"
	"t.conf:7: delimiter: 'ab' must be one character other than a "
	"quote, or 'tab'\n"},
    {"key of too many columns",
	ORG "[rule \"*.csv\"]\nkey = a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q\n",
	"t.conf:4: key: more than 16 items\n"},
    {"empty column in a list", ORG "[rule \"*.csv\"]\nkey = a,,b\n",
	"t.conf:4: key: empty item in 'a,,b'\n"},
    {"control character", ORG "[server]\nauth_user = a\x01\n",
	"t.conf:4: auth_user: control characters in the value\n"},
    {"a line of 199 bytes",
	ORG "[server]\nhook_path = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaa\nworkers = 1\n",
	"t.conf:4: line too long (more than 198 bytes)\n"
	"t.conf:5: unknown key 'workers' in [server]\n"},
};

static void
test_errors_name_their_lines(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]);
	     i++) {
		struct config cfg;
		struct config_errors errs;
		struct strbuf sb;

		strbuf_init(&sb, 65536);
		if (parse(error_cases[i].text, &cfg, &errs) != -1)
			fail_msg(
			    "%s: parsed without error", error_cases[i].name);
		joined(&errs, &sb);
		if (strcmp(sb.buf, error_cases[i].errors) != 0)
			fail_msg("%s: got\n%s", error_cases[i].name, sb.buf);
		strbuf_release(&sb);
		config_release(&cfg);
		config_errors_release(&errs);
	}
}

static void
test_a_198_byte_line_is_fine(void **state)
{
	struct config cfg;
	struct config_errors errs;
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, 4096);
	strbuf_addstr(&sb, ORG "[server]\nhook_path = /");
	while (sb.len - strlen(ORG "[server]\n") < 198)
		strbuf_addch(&sb, 'b');
	strbuf_addstr(&sb, "\n");
	assert_int_equal(parse(sb.buf, &cfg, &errs), 0);
	assert_int_equal(strlen(cfg.hook_path), 198 - strlen("hook_path = "));
	config_release(&cfg);
	config_errors_release(&errs);
	strbuf_release(&sb);
}

static void
test_org_matching(void **state)
{
	struct config cfg;
	struct config_errors errs;

	(void)state;
	assert_int_equal(
	    parse("[azure-devops]\n"
		  "organization_url = https://dev.azure.com/Contoso/\n"
		  "organization_url = https://fabrikam.visualstudio.com\n"
		  "organization_url = http://127.0.0.1:8081/org\n",
		&cfg, &errs),
	    0);
	assert_int_equal(
	    config_find_org(&cfg, "https://dev.azure.com/contoso"), 0);
	assert_int_equal(
	    config_find_org(&cfg, "https://contoso.visualstudio.com"), 0);
	assert_int_equal(
	    config_find_org(
		&cfg, "https://contoso.visualstudio.com/DefaultCollection"),
	    0);
	assert_int_equal(
	    config_find_org(&cfg, "https://dev.azure.com/fabrikam"), 1);
	assert_int_equal(config_find_org(&cfg, "http://127.0.0.1:8081/org"), 2);
	/* jobs are keyed by the canonical form: both spellings agree */
	assert_string_equal(
	    cfg.orgs[1].canon, "https://dev.azure.com/fabrikam");
	assert_string_equal(cfg.orgs[0].canon, "https://dev.azure.com/contoso");
	/* scheme, port and path must be equal */
	assert_int_equal(
	    config_find_org(&cfg, "http://127.0.0.1:8082/org"), -1);
	assert_int_equal(
	    config_find_org(&cfg, "https://127.0.0.1:8081/org"), -1);
	assert_int_equal(
	    config_find_org(&cfg, "https://dev.azure.com/contoso2"), -1);
	assert_int_equal(config_find_org(&cfg, "https://evil.com/contoso"), -1);
	assert_int_equal(
	    config_find_org(&cfg, "https://dev.azure.com.evil.com/contoso"),
	    -1);
	/* without repository lines every repository is served */
	assert_true(config_repo_selected(&cfg, 0, "p", NULL, "r", NULL));
	config_release(&cfg);
	config_errors_release(&errs);

	assert_int_equal(
	    parse(ORG
		"repository = https://contoso.visualstudio.com/P/_git/dbt\n",
		&cfg, &errs),
	    0);
	assert_true(config_repo_selected(&cfg, 0, "p", "", "DBT", ""));
	assert_false(config_repo_selected(&cfg, 0, "p", "", "seeds", ""));
	assert_false(config_repo_selected(&cfg, 0, "q", "", "dbt", ""));
	config_release(&cfg);
	config_errors_release(&errs);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_load_secrets_and_state(void **state)
{
	char dir[] = "/tmp/datadiffd-config-XXXXXX";
	char conf[256], pat[256], pw[256], sd[256], text[1024];
	struct config cfg;
	struct config_errors errs;
	struct strbuf sb;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/d.conf", dir);
	snprintf(pat, sizeof(pat), "%s/pat", dir);
	snprintf(pw, sizeof(pw), "%s/pw", dir);
	snprintf(sd, sizeof(sd), "%s/state", dir);
	snprintf(text, sizeof(text),
	    "[server]\nauth_password_file = %s\n" ORG "pat_file = %s\n"
	    "[queue]\nstate_dir = %s\n",
	    pw, pat, sd);
	write_file(conf, text, 0644);
	write_file(pat, "s3cr3t-pat\n", 0644);
	write_file(pw, "hook-pw", 0600);
	unsetenv("CREDENTIALS_DIRECTORY");

	/* a secret readable by others is refused, and the message says how */
	config_errors_init(&errs);
	strbuf_init(&sb, 65536);
	assert_int_equal(config_load(&cfg, conf, 1, &errs), -1);
	joined(&errs, &sb);
	assert_non_null(strstr(sb.buf,
	    "must not be accessible by group or "
	    "others (mode 0644): chmod 600"));
	assert_null(strstr(sb.buf, "s3cr3t"));
	config_release(&cfg);
	config_errors_release(&errs);

	assert_int_equal(chmod(pat, 0600), 0);
	config_errors_init(&errs);
	assert_int_equal(config_load(&cfg, conf, 1, &errs), 0);
	assert_string_equal(cfg.pat, "s3cr3t-pat");
	assert_string_equal(cfg.hook_password, "hook-pw");
	assert_string_equal(cfg.state_dir, sd);
	snprintf(text, sizeof(text), "%s/queue", sd);
	assert_int_equal(stat(text, &st), 0);
	config_release(&cfg);
	config_errors_release(&errs);

	/* systemd credentials win over the configured files */
	snprintf(text, sizeof(text), "%s/creds", dir);
	assert_int_equal(mkdir(text, 0700), 0);
	setenv("CREDENTIALS_DIRECTORY", text, 1);
	snprintf(text, sizeof(text), "%s/creds/ado-pat", dir);
	write_file(text, "from-credential\n", 0400);
	config_errors_init(&errs);
	assert_int_equal(config_load(&cfg, conf, 1, &errs), 0);
	assert_string_equal(cfg.pat, "from-credential");
	assert_string_equal(cfg.hook_password, "hook-pw");
	config_release(&cfg);
	config_errors_release(&errs);
	unsetenv("CREDENTIALS_DIRECTORY");

	/* an empty secret, a missing one */
	write_file(pat, "\n", 0600);
	unlink(pw);
	config_errors_init(&errs);
	strbuf_reset(&sb);
	assert_int_equal(config_load(&cfg, conf, 1, &errs), -1);
	joined(&errs, &sb);
	assert_non_null(strstr(sb.buf, "the ado-pat secret is empty"));
	assert_non_null(strstr(sb.buf, "cannot read the hook-password secret"));
	config_release(&cfg);
	config_errors_release(&errs);
	strbuf_release(&sb);

	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	assert_int_equal(system(text), 0);
}

/* property: no input crashes the parser, and failures always explain */
static void
test_loopback_hosts(void **state)
{
	const char *yes[] = {"localhost", "LocalHost", "127.0.0.1", "127.1.2.3",
	    "::1", "[::1]", "0:0:0:0:0:0:0:1"};
	const char *no[] = {"127.attacker.example", "127.0.0.1.nip.io",
	    "10.0.0.1", "0.0.0.0", "::", "[::2]", "[::1", "localhost.evil", "",
	    "dev.azure.com", "128.0.0.1"};

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!config_is_loopback_host(yes[i]))
			fail_msg("'%s' is loopback", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (config_is_loopback_host(no[i]))
			fail_msg("'%s' is not loopback", no[i]);
}

static void
test_random_input(void **state)
{
	static const char *const atoms[] = {"[server]", "[queue]",
	    "[rule \"*\"]",
	    "listen = ", "workers = ", "key = ", "include = ", "=", ";", "#",
	    "\n", " ", "\t", "\r\n", "[", "]", "\"", "a", "0", "99999999999999",
	    "organization_url = https://dev.azure.com/x\n", "\xff", ","};

	(void)state;
	for (int iter = 0; iter < 2000; iter++) {
		struct strbuf sb;
		struct config cfg;
		struct config_errors errs;
		int n = (int)unit_rand_below(40);

		strbuf_init(&sb, 1 << 16);
		for (int i = 0; i < n; i++)
			strbuf_addstr(&sb,
			    atoms[unit_rand_below(
				sizeof(atoms) / sizeof(atoms[0]))]);
		config_errors_init(&errs);
		if (config_parse(&cfg, "r.conf", sb.buf, sb.len, &errs) == -1)
			assert_true(errs.n > 0);
		else
			assert_int_equal(errs.n, 0);
		config_release(&cfg);
		config_errors_release(&errs);
		strbuf_release(&sb);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_example_file_parses),
	    cmocka_unit_test(test_values_and_lists),
	    cmocka_unit_test(test_errors_name_their_lines),
	    cmocka_unit_test(test_a_198_byte_line_is_fine),
	    cmocka_unit_test(test_org_matching),
	    cmocka_unit_test(test_load_secrets_and_state),
	    cmocka_unit_test(test_loopback_hosts),
	    cmocka_unit_test(test_random_input),
	};

	unit_init(argc, argv);
	return UNIT_RUN("config", tests);
}
