/// The web page at `/`: plain HTML, CSS and a small script, no build step. Everything it shows comes from the JSON API:
/// pick or type a user, see their ratings and recommendations with titles, rate a movie (the list changes on the next
/// request), search the catalog, open similar movies. `/?user=196` opens a user directly.
enum Page {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Latent</title>
    <style>
      :root { --fg: #1d2330; --muted: #687086; --line: #dde1ea; --accent: #2f6fdf; --bg: #f6f7fa; }
      * { box-sizing: border-box; }
      body { margin: 0; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
      header { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; padding: 12px 20px; background: #fff; border-bottom: 1px solid var(--line); }
      header h1 { font-size: 18px; margin: 0 12px 0 0; }
      input, select, button { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
      button { cursor: pointer; }
      button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
      main { display: grid; grid-template-columns: repeat(auto-fit, minmax(330px, 1fr)); gap: 16px; padding: 16px 20px; }
      section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
      h2 { font-size: 15px; margin: 0 0 8px; }
      ol, ul { margin: 0; padding-left: 22px; }
      li { padding: 4px 0; border-bottom: 1px solid #f0f1f5; }
      li:last-child { border-bottom: 0; }
      .title { font-weight: 500; }
      .meta { color: var(--muted); font-size: 13px; }
      .rate button { padding: 0 6px; margin-left: 2px; font-size: 12px; }
      .rate button.on { background: #ffd86b; border-color: #e0b43a; }
      .link { color: var(--accent); background: none; border: 0; padding: 0 4px; font-size: 13px; }
      #status { color: var(--muted); font-size: 13px; }
      #status.error { color: #b3261e; }
      .changed { animation: flash 1.2s ease-out; }
      @keyframes flash { from { background: #fff3c4; } to { background: transparent; } }
    </style>
    </head>
    <body>
    <header>
      <h1>Latent</h1>
      <label>User <input id="user" list="users" size="10" placeholder="196"></label>
      <datalist id="users"><option value="1"><option value="196"><option value="405"></datalist>
      <button id="load" class="primary">Show</button>
      <button id="newUser">New user</button>
      <label>Token <input id="token" type="password" size="12" placeholder="for writes"></label>
      <span id="status"></span>
    </header>
    <main>
      <section>
        <h2>Recommendations <span id="model" class="meta"></span></h2>
        <ol id="recs"></ol>
      </section>
      <section>
        <h2>Rated</h2>
        <ul id="rated"></ul>
      </section>
      <section>
        <h2>Find a movie</h2>
        <input id="query" placeholder="title, e.g. star wars" style="width: 100%">
        <ul id="found"></ul>
        <h2 style="margin-top: 14px">Similar to <span id="similarTo" class="meta">(pick "similar" on a movie)</span></h2>
        <ol id="similar"></ol>
      </section>
    </main>
    <script>
    "use strict";
    const $ = (id) => document.getElementById(id);
    let current = null;
    let scale = [1, 5];

    function status(text, error) { $("status").textContent = text; $("status").className = error ? "error" : ""; }

    async function api(path, options) {
      const response = await fetch(path, options);
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.error || response.status + " " + response.statusText);
      return body;
    }

    function label(entry) {
      const span = document.createElement("span");
      span.className = "title";
      span.textContent = entry.title || ("item " + entry.item);
      return span;
    }

    function rateButtons(item, rated) {
      const box = document.createElement("span");
      box.className = "rate";
      for (let v = Math.ceil(scale[0]); v <= Math.floor(scale[1]); v++) {
        const b = document.createElement("button");
        b.textContent = v;
        b.dataset.item = item;
        b.dataset.value = v;
        b.title = "rate " + v;
        if (rated === v) b.className = "on";
        b.onclick = () => rate(item, v);
        box.appendChild(b);
      }
      return box;
    }

    function similarButton(entry) {
      const b = document.createElement("button");
      b.className = "link";
      b.textContent = "similar";
      b.dataset.similar = entry.item;
      b.onclick = () => showSimilar(entry);
      return b;
    }

    function fill(list, entries, render) {
      list.replaceChildren(...entries.map((e) => { const li = document.createElement("li"); render(li, e); return li; }));
    }

    async function show(user) {
      if (!user) return;
      current = user;
      $("user").value = user;
      history.replaceState(null, "", "?user=" + encodeURIComponent(user));
      status("loading " + user + " ...");
      const ratings = await api("/users/" + encodeURIComponent(user) + "/ratings");
      const rated = new Map();
      ratings.model.forEach((r) => rated.set(r.item, r));
      ratings.stored.forEach((r) => rated.set(r.item, Object.assign({ stored: true }, r)));
      fill($("rated"), [...rated.values()].reverse(), (li, r) => {
        li.append(label(r), " ", Object.assign(document.createElement("span"), {
          className: "meta", textContent: r.rating + (r.stored ? " (here)" : " (trained)") }));
        if (r.stored) {
          const del = Object.assign(document.createElement("button"), { className: "link", textContent: "remove" });
          del.onclick = () => unrate(r.item);
          li.append(del);
        }
      });
      await showRecommendations(rated);
      status(user + ": " + rated.size + " ratings");
    }

    async function showRecommendations(rated) {
      const list = $("recs");
      if (!rated.size) {
        list.replaceChildren(Object.assign(document.createElement("li"), { className: "meta", textContent: "rate a movie to get recommendations" }));
        return;
      }
      const recs = await api("/users/" + encodeURIComponent(current) + "/recommendations?count=10");
      fill(list, recs.items, (li, e) => {
        li.dataset.item = e.item;
        li.append(label(e), " ", Object.assign(document.createElement("span"), { className: "meta", textContent: e.score.toFixed(2) }),
                  " ", rateButtons(e.item), similarButton(e));
      });
      list.classList.remove("changed"); void list.offsetWidth; list.classList.add("changed");
    }

    function writeHeaders() {
      const headers = { "Content-Type": "application/json" };
      const token = $("token").value.trim();
      if (token) { headers.Authorization = "Bearer " + token; localStorage.setItem("latent.token", token); }
      return headers;
    }

    async function rate(item, value) {
      try {
        status("rating " + item + " ...");
        await api("/users/" + encodeURIComponent(current) + "/ratings", {
          method: "POST", headers: writeHeaders(), body: JSON.stringify([{ item: item, rating: value }]) });
        await show(current);
      } catch (e) { status(e.message, true); }
    }

    async function unrate(item) {
      try {
        await api("/users/" + encodeURIComponent(current) + "/ratings/" + encodeURIComponent(item), { method: "DELETE", headers: writeHeaders() });
        await show(current);
      } catch (e) { status(e.message, true); }
    }

    async function showSimilar(entry) {
      try {
        $("similarTo").textContent = entry.title || entry.item;
        const similar = await api("/items/" + encodeURIComponent(entry.item) + "/similar?count=8&metric=cosine");
        fill($("similar"), similar.items, (li, e) => li.append(label(e), " ", rateButtons(e.item), similarButton(e)));
      } catch (e) { status(e.message, true); }
    }

    let searchTimer = null;
    async function search() {
      const q = $("query").value.trim();
      const found = await api("/items?count=12" + (q ? "&query=" + encodeURIComponent(q) : ""));
      fill($("found"), found.items, (li, e) => {
        li.append(label(e), " ", rateButtons(e.item));
        if (e.in_model) li.append(similarButton(e));
      });
    }

    $("load").onclick = () => show($("user").value.trim()).catch((e) => status(e.message, true));
    $("user").onkeydown = (ev) => { if (ev.key === "Enter") $("load").onclick(); };
    $("newUser").onclick = () => show("web-" + Math.random().toString(36).slice(2, 8)).catch((e) => status(e.message, true));
    $("query").oninput = () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => search().catch((e) => status(e.message, true)), 200); };
    $("token").value = localStorage.getItem("latent.token") || "";

    (async () => {
      try {
        const health = await api("/health");
        if (health.rating_scale) scale = health.rating_scale; else scale = [1, 1];
        $("model").textContent = "by " + health.model;
        await search();
        const user = new URLSearchParams(location.search).get("user");
        if (user) await show(user);
        document.body.dataset.ready = "1";
      } catch (e) { status(e.message, true); document.body.dataset.ready = "1"; }
    })();
    </script>
    </body>
    </html>
    """#
}
