/** Puppeteer (pulled in by whatsapp-web.js) must not download its own browser: Debian's chromium is used. */
module.exports = { skipDownload: true };
