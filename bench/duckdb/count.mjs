// The win-back panel of examples/winback/winback.rel asked of DuckDB, straight over the CSV files
// `relc data generate` writes: customers with an e-mail consent (opted in, and no e-mail
// unsubscribe since) who bought at least twice, the last time more than 180 days before the
// as-of date (events from it on do not count).
//   node count.mjs DATA_DIR AS_OF     prints the count
import { DuckDBInstance } from "@duckdb/node-api";

const [dir, asOf] = process.argv.slice(2);
const instance = await DuckDBInstance.create(":memory:");
const connection = await instance.connect();
const quote = (text) => `'${text.replaceAll("'", "''")}'`;
const reader = await connection.runAndReadAll(`
  WITH events AS (
    SELECT customer_id, event, time, from_channel
    FROM read_csv(${quote(`${dir}/events.csv`)}, header = true, types = {'time': 'TIMESTAMP', 'from_channel': 'VARCHAR'})
    WHERE time < TIMESTAMP ${quote(asOf)}),
  purchases AS (
    SELECT customer_id, count(*) AS frequency, max(time) AS last_purchase
    FROM events WHERE event = 'purchase' GROUP BY customer_id),
  unsubscribed AS (
    SELECT DISTINCT customer_id FROM events WHERE event = 'unsubscribe' AND lower(trim(from_channel)) = 'email')
  SELECT count(*) AS dormant
  FROM read_csv(${quote(`${dir}/customers.csv`)}, header = true) AS c
  JOIN purchases AS p ON p.customer_id = c.id
  WHERE c.email_optin AND p.frequency >= 2 AND c.id NOT IN (SELECT customer_id FROM unsubscribed)
    AND epoch(TIMESTAMP ${quote(asOf)}) - epoch(p.last_purchase) > 180 * 86400`);
console.log(String(reader.getRows()[0][0]));
