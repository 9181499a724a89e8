#!/usr/bin/env node
// Render page 1 of an OFD file (with its seals) to a PNG with ofd.js in headless Chromium.
//
//   node tools/render_ofd.js IN.ofd OUT.png [--width 808] [--pixel-ratio 2]
//
// ofd.js is an independent OFD reader (the one web viewers use), so a certificate that draws here
// has passed a second implementation's parser. Prints one JSON line: pages, seals drawn, size.
// The browser is Debian's chromium unless CHROMIUM_PATH / PUPPETEER_EXECUTABLE_PATH says otherwise.
"use strict";

const fs = require("fs");
const path = require("path");
const puppeteer = require("puppeteer-core");

function parseArgs(argv) {
  // ofd.js scales images by their CTM at a fixed 96 dpi (0.2642 mm per px) whatever the page scale,
  // so pages are laid out near 96 dpi and sharpened with the device pixel ratio. ofd.js picks its scale
  // as ((width - 10) / page mm) to one decimal: 808 px gives 3.8 px/mm (96 dpi = 3.78).
  const args = { width: 808, ratio: 2 };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--width") args.width = parseInt(argv[++i], 10);
    else if (argv[i] === "--pixel-ratio") args.ratio = parseFloat(argv[++i]);
    else rest.push(argv[i]);
  }
  if (rest.length !== 2) {
    console.error("usage: render_ofd.js IN.ofd OUT.png [--width PX] [--pixel-ratio R]");
    process.exit(2);
  }
  [args.input, args.output] = rest;
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const ofdBase64 = fs.readFileSync(args.input).toString("base64");
  const library = require.resolve("ofd.js/lib/ofd.umd.js", { paths: [__dirname] });
  const executablePath =
    process.env.CHROMIUM_PATH || process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium";
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--font-render-hinting=none",
    ],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.setViewport({ width: args.width + 40, height: 1800, deviceScaleFactor: args.ratio });
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head>' +
      '<body style="margin:0;background:#fff"><div id="root"></div></body></html>');
    await page.addScriptTag({ path: library });
    const result = await page.evaluate(
      (b64, width) =>
        new Promise((resolve) => {
          const raw = atob(b64);
          const bytes = new Uint8Array(raw.length);
          for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
          const timer = setTimeout(() => resolve({ error: "timeout while parsing" }), 30000);
          window.ofd.parseOfdDocument({
            ofd: bytes.buffer,
            success(res) {
              try {
                const doc = Array.isArray(res) ? res[0] : res;
                const divs = window.ofd.renderOfd(width, doc);
                const root = document.getElementById("root");
                for (const div of divs) root.appendChild(div);
                clearTimeout(timer);
                resolve({
                  pages: divs.length,
                  seals: root.querySelectorAll('[name="seal_img_div"]').length,
                  texts: root.querySelectorAll("svg text").length,
                });
              } catch (error) {
                clearTimeout(timer);
                resolve({ error: String(error && error.stack ? error.stack : error) });
              }
            },
            fail(error) {
              clearTimeout(timer);
              resolve({ error: String(error && error.stack ? error.stack : error) });
            },
          });
        }),
      ofdBase64,
      args.width,
    );
    if (result.error) throw new Error("ofd.js failed: " + result.error);
    if (!result.pages) throw new Error("ofd.js rendered no page");
    // Let images (photo, signature, seal picture) decode before the screenshot.
    await page.evaluate(async () => {
      const images = Array.from(document.images);
      await Promise.all(images.map((img) => (img.complete ? null : new Promise((r) => { img.onload = img.onerror = r; }))));
      await document.fonts.ready;
    });
    const first = await page.$("#root > div");
    fs.mkdirSync(path.dirname(path.resolve(args.output)), { recursive: true });
    await first.screenshot({ path: args.output });
    const box = await first.boundingBox();
    console.log(JSON.stringify({ ...result, width: Math.round(box.width), height: Math.round(box.height), errors }));
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
