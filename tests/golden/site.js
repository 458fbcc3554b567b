// The site's one script: it only enhances pages that work without it.
// - chapter times seek the player instead of opening the audio file;
// - the copy button copies the feed address;
// - the search box (Pagefind's static index) is shown and answers as you type. The index is
//   in parts (pagefind/parts.json lists them, oldest first): the first part's pagefind.js is
//   loaded and every other part merged into it (Pagefind's multisite mergeIndex, all parts
//   at once), so one search covers the whole show.
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
      const loaded = await Promise.all(found.results.slice(0, 24).map((r) => r.data()));
      const results = loaded.filter((r) => typed(r, query)).slice(0, 8);
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
  const [first, ...rest] = parts.map((part) => new URL(part, listUrl));
  const pagefind = await import(new URL("pagefind.js", first).href);
  // Result URLs as indexed, from the site's root ("/episodes/…"), whatever the index's path:
  // show() makes them relative, so the site works under any prefix.
  await pagefind.options({ baseUrl: "/" });
  await pagefind.init();
  // All at once, not one after another: at 10,000 episodes (200 parts, three small files
  // each) one by one took 26 s over a 50 ms round trip, together 7.5 s. Each part is added
  // to the list of indexes when its call starts, so the order (and ranking) is the same.
  await Promise.all(rest.map((part) => pagefind.mergeIndex(part.pathname, { baseUrl: "/" })));
  return pagefind;
}

// Each part is its own index, and Pagefind answers a word that a part lacks with the longest
// prefix of it that the part has ("annular" finds "an"), ranked by that part alone: such a
// result marks a word that is not the one typed. Keep a result that marks a word sharing all
// but two letters of a typed word, so "paracet" still finds "paracetamol", "study" "studies".
function typed(result, query) {
  const words = query.toLowerCase().split(/[\s"']+/).filter(Boolean);
  const marked = [...result.excerpt.matchAll(/<mark>(.*?)<\/mark>/g)].map((m) => m[1].toLowerCase());
  return words.some((word) => marked.some((mark) => shared(word, mark) >= word.length - 2));
}

function shared(a, b) {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
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
