// The site's one script: it only enhances pages that work without it.
// - chapter times seek the player instead of opening the audio file;
// - the copy button copies the feed address;
// - the search box (Pagefind's static index) is shown and answers as you type. The index is
//   in parts (pagefind/parts.json lists them, oldest first): the first part's pagefind.js is
//   loaded and every other part merged into it (Pagefind's multisite mergeIndex), so one
//   search covers the whole show.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const player = document.getElementById("player");
  if (player) {
    for (const link of document.querySelectorAll("a.seek[data-seek]")) {
      link.addEventListener("click", (event) => {
        event.preventDefault();
        player.currentTime = Number(link.dataset.seek);
        player.play().catch(() => {});
      });
    }
  }

  for (const button of document.querySelectorAll("button.copy-button[data-copy]")) {
    if (!navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(button.dataset.copy).then(
        () => { button.textContent = "Copied"; },
        () => { button.textContent = "Copy failed"; },
      );
    });
  }

  const form = document.querySelector("form.search");
  if (form && location.protocol !== "file:") setUpSearch(form);
});

function setUpSearch(form) {
  const input = form.querySelector("input[type=search]");
  const output = form.querySelector("output");
  let loading = null;  // one load however fast the keys come: a part merged twice would repeat
  let latest = 0;
  form.hidden = false;
  form.addEventListener("submit", (event) => event.preventDefault());
  input.addEventListener("input", async () => {
    const query = input.value.trim();
    const ticket = ++latest;
    if (!query) { output.replaceChildren(); return; }
    try {
      loading ??= loadIndex(new URL(form.dataset.parts, location.href));
      const pagefind = await loading;
      const found = await pagefind.search(query);
      const results = await Promise.all(found.results.slice(0, 8).map((r) => r.data()));
      if (ticket !== latest) return;
      show(results, output, form.dataset.base);
    } catch (error) {
      form.hidden = true;  // no index (a preview, file://): the page works without search
    }
  });
}

async function loadIndex(listUrl) {
  const response = await fetch(listUrl);
  if (!response.ok) throw new Error(`${listUrl}: ${response.status}`);
  const { parts } = await response.json();
  if (!parts.length) throw new Error(`${listUrl}: no parts`);
  const [first, ...rest] = parts.map((part) => new URL(part, listUrl).href);
  const pagefind = await import(new URL("pagefind.js", first).href);
  await pagefind.init();
  for (const part of rest) await pagefind.mergeIndex(part);
  return pagefind;
}

function show(results, output, base) {
  const list = document.createElement("ul");
  for (const result of results) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    // Pagefind's URLs are from the site root; ours are relative, so any host prefix works.
    link.href = new URL(base + result.url.replace(/^\//, ""), location.href).href;
    link.textContent = result.meta.title || result.url;
    item.append(link);
    list.append(item);
  }
  const count = document.createElement("p");
  count.textContent = results.length ? `${results.length} result(s)` : "No results";
  output.replaceChildren(count, list);
}
