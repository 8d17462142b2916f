// Drawing on a page's digit pad (#pad), shared by the page tests: a vertical stroke down the middle (a "1"),
// then waiting for the page's prediction (#prediction) to show a digit.
import type { Page } from 'playwright-core';

export async function drawOne(page: Page): Promise<void> {
  const pad = (await page.locator('#pad').boundingBox())!;
  await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height * (0.15 + 0.07 * i));
  await page.mouse.up();
  await page.waitForFunction(() => /^\d$/.test(document.querySelector('#prediction')?.textContent ?? ''), null, { timeout: 30_000 });
}
