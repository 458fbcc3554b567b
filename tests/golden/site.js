// The site's one script: it only enhances pages that work without it.
// - chapter times seek the player instead of opening the audio file;
// - the copy button copies the feed address;
// - the search box (Pagefind's static index) is shown and answers as you type. The index is
//   in parts (pagefind/parts.json lists them, oldest first): the newest part's pagefind.js is
//   loaded and every other part merged into it (Pagefind's multisite mergeIndex), the newest
//   first, so one search covers the whole show and answers before the oldest are in.
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
  let index = null;  // one load however fast the keys come: a part merged twice would repeat
  let latest = 0;
  const load = () => {
    if (index === null) {
      index = loadIndex(new URL(form.dataset.parts, location.href));
      index.older.then(() => { if (input.value.trim()) answer(); });  // now over every part
      index.newer.catch(() => { form.hidden = true; });  // no index: the page works without
    }
    return index;
  };
  const answer = async () => {
    const query = input.value.trim();
    const ticket = ++latest;
    if (!query) { output.replaceChildren(); return; }
    try {
      const { newer, older, complete } = load();
      const done = complete();
      const indexes = [await newer, ...(done ? [await older].filter(Boolean) : [])];
      const found = await Promise.all(indexes.map((pagefind) => pagefind.search(query)));
      // as Pagefind ranks the results of the parts it merged: by score, highest first
      const ranked = found.flatMap((f) => f.results).sort((a, b) => b.score - a.score);
      const loaded = await Promise.all(ranked.slice(0, 24).map((r) => r.data()));
      const results = loaded.filter((r) => typed(r, query)).slice(0, 8);
      if (ticket !== latest) return;
      show(results, output, form.dataset.base, done);
    } catch (error) {
      form.hidden = true;  // no index (a preview, file://): the page works without search
    }
  };
  form.hidden = false;
  form.addEventListener("submit", (event) => event.preventDefault());
  input.addEventListener("focus", load, { once: true });  // load while the listener types
  input.addEventListener("input", answer);
}

// Two Pagefind instances (each part's pagefind.js is a module of its own), one after the
// other: ``newer``, the newest part with the next newest merged into it (a tenth of the
// parts, up to 19), which a search answers from at once; then ``older``, the oldest part
// with every other one merged into it (null when there are no others), while the listener
// reads. Merging all 200 parts of a
// 10,000-episode show one after another took 26 s over a 50 ms round trip before any answer.
// Within an instance the parts are merged all at once; each joins the instance's list when
// its merge starts, so the order is fixed.
function loadIndex(listUrl) {
  let done = false;
  const parts = (async () => {
    const response = await fetch(listUrl);
    if (!response.ok) throw new Error(`${listUrl}: ${response.status}`);
    const { parts: listed } = await response.json();
    if (!listed.length) throw new Error(`${listUrl}: no parts`);
    return listed.map((part) => new URL(part, listUrl)).reverse();  // newest first
  })();
  const open = async (primary, merged) => {
    const pagefind = await import(new URL("pagefind.js", primary).href);
    // Result URLs as indexed, from the site's root ("/episodes/…"), whatever the index's
    // path: show() makes them relative, so the site works under any prefix.
    await pagefind.options({ baseUrl: "/" });
    await pagefind.init();
    await Promise.all(merged.map((part) => pagefind.mergeIndex(part.pathname, { baseUrl: "/" })));
    return pagefind;
  };
  const newer = parts.then((all) => {
    const soon = Math.min(19, Math.floor((all.length - 1) / 10));
    return open(all[0], all.slice(1, 1 + soon));
  });
  const older = Promise.all([parts, newer.catch(() => null)]).then(([all]) => {
    const rest = all.slice(1 + Math.min(19, Math.floor((all.length - 1) / 10)));
    return rest.length ? open(rest[rest.length - 1], rest.slice(0, -1)) : null;
  }).catch(() => null).finally(() => { done = true; });  // failing, the newer still answer
  return { newer, older, complete: () => done };
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

function show(results, output, base, complete) {
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
  count.textContent = (results.length ? `${results.length} result(s)` : "No results")
    + (complete ? "" : "; searching older episodes…");
  output.replaceChildren(count, list);
}
