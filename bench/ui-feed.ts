// The feed with 100,000 stored events: seeds a temporary data dir, starts the server, and times in
// real Chromium the first page, "load older" and the arrival of a live event. Run: bun bench/ui-feed.ts
import { openDatabase } from "../src/db/open.ts";
import { databasePath } from "../src/config.ts";
import { SqliteEventStore } from "../src/events/store/sqlite-store.ts";
import { toEvent } from "../src/events/model.ts";
import { UserStore } from "../src/auth/users.ts";
import { launchBrowser, startInlet } from "../test/support/browser.ts";

const COUNT = Number(process.argv[2] ?? 100_000);
const server = await startInlet();
// Seed through the stores (the server is running, WAL allows a second writer connection).
const db = openDatabase({ path: databasePath(server.dataDir) });
await new UserStore(db).create({ email: "bench@example.com", password: "bench password", role: "admin" });
const store = new SqliteEventStore(db);
const t0 = Date.now();
const start = Date.now() - COUNT * 1000;
for (let i = 0; i < COUNT; i += 1000) {
  const batch = [];
  for (let j = i; j < Math.min(i + 1000, COUNT); j++) {
    batch.push(
      toEvent(
        {
          event: `bench.event.${j % 7}`,
          occurred: new Date(start + j * 1000).toISOString(),
          resource: { "prefect.resource.id": `bench.resource.${j % 100}` },
          payload: { n: j },
        },
        { now: Date.now() },
      ),
    );
  }
  store.insert(batch);
}
console.log(`seeded ${COUNT} events in ${Date.now() - t0} ms`);

const b = await launchBrowser(server.url);
const page = b.page;
await page.goto(server.url + "/");
await page.getByLabel("Email").fill("bench@example.com");
await page.getByLabel("Password").fill("bench password");
let t = performance.now();
await page.getByRole("button", { name: "Sign in" }).click();
await page.locator(".event-row").first().waitFor();
console.log(`sign-in → first page of events: ${(performance.now() - t).toFixed(0)} ms`);
for (let k = 0; k < 5; k++) {
  const before = await page.locator(".event-row").count();
  t = performance.now();
  await page.getByRole("button", { name: "Load older events" }).click();
  await page.waitForFunction((n) => document.querySelectorAll(".event-row").length > n, before);
  console.log(`load older (${before} rows shown): ${(performance.now() - t).toFixed(0)} ms`);
}
t = performance.now();
await page.getByLabel("Search event text").fill("bench.resource.42");
await page.waitForFunction(() => [...document.querySelectorAll(".event-resource")].every((e) => e.textContent === "bench.resource.42"));
console.log(`text search applied: ${(performance.now() - t).toFixed(0)} ms (incl. 300 ms debounce)`);
db.$client.close();
await b.close();
await server.stop();
