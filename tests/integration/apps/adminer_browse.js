// Adminer (Debian package, served by `php -S`) in headless Chromium (Debian chromium, driven by
// npm playwright-core; no browser download): log in to a MySQL server, open a database, read the
// table list, browse one table. Prints one JSON document; run by test_tool_adminer.py through the
// proxy and on a reference MariaDB.
//
//   NODE_PATH=.work/node-apps/node_modules node adminer_browse.js ADMINER_URL DB_PORT USER PASSWORD DB TABLE SHOT_PREFIX
'use strict';

const { chromium } = require('playwright-core');

const [adminer, dbPort, user, password, db, table, shotPrefix] = process.argv.slice(2);

(async () => {
  const out = { screenshots: [], errors: [] };
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const shot = async (page, name) => {
    const path = `${shotPrefix}-${name}.png`;
    await page.screenshot({ path, fullPage: true });
    out.screenshots.push(path);
  };
  const pageErrors = async (page) => (await page.locator('.error').allInnerTexts()).map((t) => t.trim());
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(30000);
    await page.goto(adminer);
    await page.selectOption('select[name="auth[driver]"]', 'server');
    await page.fill('input[name="auth[server]"]', `127.0.0.1:${dbPort}`);
    await page.fill('input[name="auth[username]"]', user);
    await page.fill('input[name="auth[password]"]', password);
    await page.fill('input[name="auth[db]"]', db);
    await Promise.all([page.waitForLoadState('load'), page.click('input[type="submit"]')]);
    out.login_errors = await pageErrors(page);
    out.title = await page.title();
    // the table list of the left-hand menu: one link per table, its name as text
    out.menu_tables = (await page.locator('#tables a.structure, #tables a.view').allInnerTexts())
      .map((t) => t.trim()).filter((t) => t);
    // the database page's table of tables (name, engine, rows ...)
    out.content_tables = (await page.locator('#content table th a[href*="table="]').allInnerTexts())
      .map((t) => t.trim());
    // Adminer fills each table's engine, sizes and rows in by a request of its own (SHOW TABLE
    // STATUS): wait for them, then read engine and whether rows were shown.
    try {
      await page.waitForFunction(
        (names) => names.every((n) => {
          const e = document.getElementById(`Rows-${n}`);
          return e && e.innerText.trim() !== '' && !e.innerText.includes('?');
        }), out.content_tables.filter((n) => !n.endsWith('_v')), { timeout: 20000 });
    } catch (e) {
      out.errors.push('table status not filled in: ' + String(e).split('\n')[0]);
    }
    out.content_status = {};
    for (const n of out.content_tables) {
      const text = async (id) => {
        const loc = page.locator(`[id="${id}-${n}"]`);
        return (await loc.count()) ? (await loc.first().innerText()).trim() : null;
      };
      out.content_status[n] = { engine: await text('Engine'), rows: await text('Rows') };
    }
    await shot(page, 'database');
    const url = new URL(page.url());
    url.search = '';
    const base = `${url.toString()}?server=${encodeURIComponent(`127.0.0.1:${dbPort}`)}`
      + `&username=${encodeURIComponent(user)}&db=${encodeURIComponent(db)}`;
    await page.goto(`${base}&select=${encodeURIComponent(table)}&limit=1000`);
    await shot(page, 'select');
    out.select_errors = await pageErrors(page);
    const headers = (await page.locator('#table thead th').allInnerTexts()).map((t) => t.trim());
    out.select_columns = headers;
    out.select_rows = await page.locator('#table tbody tr').evaluateAll(
      (rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => td.innerText.trim())));
    await page.goto(`${base}&table=${encodeURIComponent(table)}`);
    await shot(page, 'structure');
    out.structure_errors = await pageErrors(page);
    out.structure_columns = (await page.locator('#content table.odds th, #content table th')
      .allInnerTexts()).map((t) => t.trim()).filter((t) => t);
  } catch (e) {
    out.errors.push(String(e && e.stack ? e.stack.split('\n').slice(0, 4).join(' | ') : e));
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
})();
