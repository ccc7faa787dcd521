// bench-duckdb.mjs: the DuckDB side of scripts/bench.sh.
//
//   node scripts/bench-duckdb.mjs [--typed] [--threads N] [--key COL] OLD NEW
//
// Diffs two CSV files by key with one FULL OUTER JOIN over every column and
// prints one line:
//
//   duckdb: added=A removed=R changed=C unchanged=U query_s=S
//
// query_s is the time inside this process from opening DuckDB to having the
// counts (node start-up and module loading excluded). By default every column
// is read as text (all_varchar), which is datadiff's semantics: values equal
// when their unquoted text is equal. --typed lets DuckDB sniff column types
// instead (then 1.50 and 1.5 would be equal).
//
// @duckdb/node-api is loaded from $BENCH_NODE_PREFIX (default
// bench-cache/node next to this script's directory), where bench.sh installs it.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const prefix = process.env.BENCH_NODE_PREFIX ||
	path.join(here, '..', 'bench-cache', 'node');

function usage() {
	process.stderr.write('usage: bench-duckdb.mjs [--typed] [--threads N] ' +
	    '[--key COL] OLD NEW\n');
	process.exit(2);
}

function sqlString(s) {
	return "'" + s.replaceAll("'", "''") + "'";
}

function sqlIdent(s) {
	return '"' + s.replaceAll('"', '""') + '"';
}

// read_csv with everything stated, so the sniffer guesses nothing but types
function readCsv(file, typed) {
	const opts = [
		'header = true', "delim = ','", `quote = '"'`, `escape = '"'`,
	];
	if (!typed)
		opts.push('all_varchar = true');
	return `read_csv(${sqlString(file)}, ${opts.join(', ')})`;
}

// The diff: FULL OUTER JOIN on the key, IS DISTINCT FROM on every other
// column (NULL-safe, so an empty value to a value counts as a change).
export function diffSql(oldFile, newFile, columns, key, typed) {
	const k = sqlIdent(key);
	const changed = columns.filter((c) => c !== key)
		.map((c) => `o.${sqlIdent(c)} IS DISTINCT FROM n.${sqlIdent(c)}`)
		.join('\n        OR ');
	return `WITH o AS (SELECT * FROM ${readCsv(oldFile, typed)}),
     n AS (SELECT * FROM ${readCsv(newFile, typed)}),
     j AS (
  SELECT o.${k} AS ok, n.${k} AS nk,
         (${changed}) AS differs
  FROM o FULL OUTER JOIN n ON o.${k} = n.${k})
SELECT count(*) FILTER (WHERE ok IS NULL) AS added,
       count(*) FILTER (WHERE nk IS NULL) AS removed,
       count(*) FILTER (WHERE ok IS NOT NULL AND nk IS NOT NULL AND differs)
         AS changed,
       count(*) FILTER (WHERE ok IS NOT NULL AND nk IS NOT NULL AND NOT differs)
         AS unchanged
FROM j`;
}

async function main() {
	const args = process.argv.slice(2);
	const files = [];
	let typed = false, threads = '2', key = 'id', printSql = false;

	while (args.length) {
		const a = args.shift();
		if (a === '--typed')
			typed = true;
		else if (a === '--threads' && args.length)
			threads = args.shift();
		else if (a === '--key' && args.length)
			key = args.shift();
		else if (a === '--print-sql')
			printSql = true;
		else if (a.startsWith('--'))
			usage();
		else
			files.push(a);
	}
	if (files.length !== 2)
		usage();

	const require = createRequire(
	    path.resolve(prefix, 'node_modules', 'noop.js'));
	const { DuckDBInstance } = require('@duckdb/node-api');

	const t0 = process.hrtime.bigint();
	const instance = await DuckDBInstance.create(':memory:');
	const con = await instance.connect();
	await con.run(`SET threads = ${Number(threads)}`);
	// the column names, from the new file's header (both files share them)
	const desc = await con.runAndReadAll(
	    `DESCRIBE SELECT * FROM ${readCsv(files[1], typed)}`);
	const columns = desc.getRowObjectsJson().map((r) => r.column_name);
	if (!columns.includes(key)) {
		process.stderr.write(`bench-duckdb: no column '${key}' in ` +
		    `'${files[1]}'\n`);
		process.exit(2);
	}
	const sql = diffSql(files[0], files[1], columns, key, typed);
	if (printSql)
		process.stderr.write(`SET threads = ${Number(threads)};\n${sql};\n`);
	const res = await con.runAndReadAll(sql);
	const row = res.getRowObjectsJson()[0];
	const secs = Number(process.hrtime.bigint() - t0) / 1e9;
	con.closeSync();
	console.log(`duckdb: added=${row.added} removed=${row.removed} ` +
	    `changed=${row.changed} unchanged=${row.unchanged} ` +
	    `query_s=${secs.toFixed(3)}`);
}

main().catch((e) => {
	process.stderr.write(`bench-duckdb: ${e.message || e}\n`);
	process.exit(2);
});
