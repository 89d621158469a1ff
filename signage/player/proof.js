/* Proof of play: what this screen showed, and that it is alive, reported to `signage serve`.

   Each showing of an artifact (its pages in a row count once) becomes a "play" event, and every
   minute a "heartbeat" says which version is shown, what is on screen, whether the page is visible
   and what went wrong since the last one. Events are kept on the device (localStorage, at most
   MAX_KEPT; the oldest heartbeats go first when it is full) and sent in batches to POST
   /api/v1/events with this screen's token; one that is not acknowledged stays and is sent again,
   later and later (back-off), so an absent network or server loses nothing, and the server
   stores an event sent twice once (by its id). Nothing here can stop playback: every step is
   caught, and sending runs beside the playlist's timers.

   The token comes once in the address's fragment, player.html?screen=ID#token=sgt_…, is kept on
   the device and removed from the address (a fragment never reaches a server or its logs).
   `#report=URL` sends elsewhere (default: api/v1/events at the server's root, two folders up
   from publish/BRANCH/player.html). From file:// (a USB bundle) nothing is sent: the events are
   kept, and the E key (or signage.proof.download()) saves them as a JSON file. */
const proof = (() => {
  const KEY = "signage:" + location.pathname + "?screen=" + screenId;
  const MAX_KEPT = 5000;  // events on the device: ~1.5 MB of localStorage; 13 hours of 10 s plays
  const MAX_ASIDE = 1000;  // events the server refused as malformed: kept for export, never resent
  const BATCH = 200;  // events per request (the server takes up to 500)
  const BEAT_MS = 60000;
  const FIRST_BEAT_MS = 5000;
  const BACKOFF_MS = [5000, 300000];  // first wait after a failed send, and the longest
  const SEND_TIMEOUT_MS = 15000;
  const fragment = new URLSearchParams(location.hash.slice(1));
  const saved = (() => { try { return JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (err) { return {}; } })();
  const kept = { events: [], aside: [], dropped: 0, refused: 0, token: "", report: "", branch: "", ...saved };
  if (fragment.get("token") || fragment.get("report")) {
    kept.token = fragment.get("token") || kept.token;
    kept.report = fragment.get("report") || kept.report;
    history.replaceState(null, "", location.pathname + location.search);  // off the screen and the history
  }
  const http = location.protocol === "http:" || location.protocol === "https:";
  const endpoint = kept.report || (http && !("base" in document.documentElement.dataset)
    ? new URL("../../api/v1/events", location.href).href : "");
  const p = { kept, endpoint, run: null, errors: [], made: 0, sending: false, failures: 0, retry: null, due: 0 };
  const branchId = () => {  // the playlist's branch, kept with the events for an export before anything loads
    if (state.playlist && state.playlist.branch) kept.branch = state.playlist.branch.id;
    return kept.branch;
  };

  function save() {
    for (let tries = 0; tries < 3; tries++) {
      try {
        localStorage.setItem(KEY, JSON.stringify(kept));
        return;
      } catch (err) {  // full: let the oldest quarter go; no storage at all (a locked-down kiosk): keep them in memory
        if (err.name !== "QuotaExceededError") return;
        trim(Math.ceil(kept.events.length / 4));
      }
    }
  }

  function trim(count) {  // the oldest heartbeats go first: plays are what a report counts
    for (let n = 0; n < count && kept.events.length; n++) {
      const beat = kept.events.findIndex((e) => e.kind === "heartbeat");
      kept.events.splice(beat >= 0 ? beat : 0, 1);
      kept.dropped += 1;
    }
  }

  function keep(event) {
    p.made += 1;
    branchId();
    kept.events.push(event);
    if (kept.events.length > MAX_KEPT) trim(kept.events.length - MAX_KEPT);
    save();
  }

  function uuid() {  // crypto.randomUUID needs a secure context; a branch LAN over plain HTTP is not one
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const campaignOf = (folder) => { const i = folder.indexOf("~"); return i < 0 ? "default" : folder.slice(i + 1).split("@")[0]; };

  function ended(now) {  // the artifact on screen is off it: its play, if it was shown at all
    const run = p.run;
    p.run = null;
    if (!run || !run.shown || now <= run.start) return;
    keep({ id: uuid(), kind: "play", at: run.start / 1000, duration: (now - run.start) / 1000, item: run.item,
           artifact: run.artifact, version: run.version, campaign: run.campaign,
           data: { name: run.name, entry: run.entry, pages: run.pages } });
  }

  function showing(item, index) {  /* next() puts `item` on screen: the same artifact's next page goes on with its play */
    try {
      const now = Date.now();
      const run = p.run;
      if (document.visibilityState !== "visible") { ended(now); return; }  // nobody can see it: no play
      if (run && index > 0 && run.artifact === item.source && run.folder === state.folder && run.version === state.version) {
        run.pages += 1;
        return;
      }
      ended(now);
      const content = item.content || { kind: "file", id: item.file };
      p.run = { start: now, artifact: item.source || item.file, item: `${content.kind}:${content.id}`, name: item.name,
                entry: item.entry ?? null, pages: 1, version: state.version, folder: state.folder,
                campaign: campaignOf(state.folder), shown: false };
    } catch (err) { /* never in the way of playing */ }
  }

  function loaded() { if (p.run) p.run.shown = true; }  // a page of the run is on screen
  function stopped() { try { ended(Date.now()); } catch (err) { /* as above */ } }
  function note(text) { p.errors.push(String(text).slice(0, 300)); if (p.errors.length > 20) p.errors.shift(); }

  function beat() {
    try {
      const errors = p.errors.splice(0);
      keep({ id: uuid(), kind: "heartbeat", at: Date.now() / 1000, version: state.version || null,
             campaign: state.folder ? campaignOf(state.folder) : null,
             data: { visible: document.visibilityState === "visible",
                     showing: p.run && p.run.shown ? p.run.artifact : "state:" + (body.dataset.state || "starting"), errors,
                     state: body.dataset.state || "", dropped: kept.dropped, refused: kept.refused } });
      send();
    } catch (err) { /* as above */ }
  }

  function later(ms) {
    clearTimeout(p.retry);
    p.due = Date.now() + ms;  // when the next send is asked for (a test waits for one that is due)
    p.retry = setTimeout(() => { p.retry = null; send(); }, ms);
  }

  function setAside(events) {
    const ids = new Set(events.map((e) => e.id));
    kept.aside.push(...events);
    kept.aside.splice(0, Math.max(0, kept.aside.length - MAX_ASIDE));
    kept.refused += events.length;
    kept.events = kept.events.filter((e) => !ids.has(e.id));
    save();
  }

  async function send() {
    /* The oldest events, in one batch; on an acknowledgement the next batch at once, else later. */
    if (!p.endpoint || !kept.token || p.sending || p.retry !== null || !kept.events.length || !branchId()) return;
    const batch = kept.events.slice(0, BATCH);
    p.sending = true;
    let status = 0, answer = {};
    try {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), SEND_TIMEOUT_MS);
      try {
        const response = await fetch(p.endpoint, {
          method: "POST", cache: "no-store", signal: abort.signal,
          headers: { "Content-Type": "application/json", Authorization: "Bearer " + kept.token },
          body: JSON.stringify({ branch: branchId(), screen: screenId, sent: Date.now() / 1000, events: batch }),
        });
        status = response.status;
        answer = await response.json().catch(() => ({}));
      } finally { clearTimeout(timer); }
    } catch (err) { status = 0; }
    p.sending = false;
    body.dataset.report = String(status);
    if (status === 200 || status === 409) {  // stored, or stored already (an answer lost on the way)
      const ids = new Set(batch.map((e) => e.id));
      kept.events = kept.events.filter((e) => !ids.has(e.id));
      save();
      p.failures = 0;
      if (kept.events.length) later(0);
      return;
    }
    if (status === 422 && Number.isInteger(answer.event) && batch[answer.event]) {
      setAside([batch[answer.event]]);  // one event it will never take (too old, say): the rest at once
      later(0);
      return;
    }
    if (status === 400 || status === 413 || (status === 422 && answer.skew === undefined)) {
      setAside(batch);  // a batch it will never take as it is: kept on the device for export
      later(0);
      return;
    }
    // away, busy, too many (429), a token it does not take yet, a clock it does not trust: wait and try again
    note(`report: ${status || "no answer"} ${answer.error || ""}`.trim());
    p.failures += 1;
    const wait = Math.min(BACKOFF_MS[1], BACKOFF_MS[0] * 2 ** (p.failures - 1)) * (0.75 + Math.random() / 2);
    const asked = Number(answer.retry_after || 0) * 1000;
    later(Math.max(wait, asked));
  }

  function exported() {
    return JSON.stringify({ branch: branchId(), screen: screenId, exported: Date.now() / 1000,
                            events: kept.events, refused: kept.aside }, null, 1);
  }

  function download() {  /* the kept events as a file: from a USB bundle, the only way out */
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([exported()], { type: "application/json" }));
    link.download = `signage-events-${branchId() || "branch"}-${screenId || "screen"}-${Date.now()}.json`;
    document.body.append(link);
    link.click();
    link.remove();
  }

  window.addEventListener("keydown", (e) => { if (e.key === "e" || e.key === "E") download(); });
  window.addEventListener("pagehide", () => { stopped(); save(); });
  window.addEventListener("error", (e) => note(e.message || "script error"));
  document.addEventListener("visibilitychange", () => { if (document.visibilityState !== "visible") stopped(); });
  setTimeout(() => { beat(); setInterval(beat, BEAT_MS); }, FIRST_BEAT_MS);
  return Object.assign(p, { showing, loaded, stopped, note, send, exported, download });
})();
signage.proof = proof;
