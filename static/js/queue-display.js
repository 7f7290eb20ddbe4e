/* The calling display (templates/queueing/display.html), a TV in the waiting hall.

   Every second it asks for the floor's state after the last call it has seen (`?after=<id>`): the open
   counters and their numbers, the next numbers, today's latest call, and the new calls (at most the
   latest 3, the server caps them). A new call is flashed and read out (/xep-hang/am-thanh/<id>.wav).

   Network hiccups: a failed poll is retried with back-off (1, 2, 4, then every 5 s); after 5 s without a
   successful poll a "connection lost" banner shows and the numbers are greyed out, so a stale number is
   never shown as current. The first poll that succeeds brings the whole state back and announces only the
   calls newer than the last one announced (never more than 3).

   Sound: browsers play audio only after a gesture on the page; the "Bật âm thanh" button is shown until
   someone presses it (with a remote or a mouse), and the choice is remembered in localStorage. If the
   server cannot speak (503) or the browser refuses, the call is only shown. */
(function () {
  "use strict";
  var PERIOD = 1000, STALE = 5000, TIMEOUT = 4000, MAX_BACKOFF = 5000, MAX_CALLS = 3, FLASH = 8000;
  var STORE = "queue-display-sound";

  function init() {
    var root = document.querySelector("[data-queue-display]");
    if (!root) { return; }
    var lastSeen = parseInt(root.dataset.lastId, 10) || 0;
    var lastAnnounced = lastSeen;
    var floorId = lastSeen;  // calls made before the page opened are not announced
    var lastOk = Date.now(), failures = 0, offline = false;
    var banner = root.querySelector("[data-offline-banner]");
    var soundButton = root.querySelector("[data-sound-on]");
    var player = new Audio(), queue = [], playing = false, soundOn = false, flashTimer = null;

    // -- sound --------------------------------------------------------------------------------------
    function remembered() { try { return window.localStorage.getItem(STORE) === "on"; } catch (e) { return false; } }
    function remember() { try { window.localStorage.setItem(STORE, "on"); } catch (e) { /* private mode */ } }

    function unlock(fromGesture) {
      player.src = root.dataset.silence;
      var tried = player.play();
      if (!tried || !tried.then) { soundOn = true; soundButton.hidden = true; return; }
      tried.then(function () {
        soundOn = true; soundButton.hidden = true;
        if (fromGesture) { remember(); }
      }).catch(function () { soundOn = false; soundButton.hidden = false; });
    }
    soundButton.addEventListener("click", function () { unlock(true); });
    if (remembered()) { unlock(false); } else { soundButton.hidden = false; }

    function playNext() {
      if (playing || !queue.length) { return; }
      playing = true;
      player.src = queue.shift();
      var done = function () { playing = false; window.setTimeout(playNext, 400); };
      player.onended = done;
      player.onerror = done;  // 503 (no espeak-ng on the server): the call stays visible, silent
      var p = player.play();
      if (p && p.catch) { p.catch(done); }
    }

    // -- drawing ------------------------------------------------------------------------------------
    var grid = root.querySelector("[data-counters]");
    var template = root.querySelector("[data-counter-template]");
    var none = root.querySelector("[data-no-counter]");
    var next = root.querySelector("[data-next]");
    var latest = root.querySelector("[data-latest]");
    var latestCode = root.querySelector("[data-latest-code]");
    var latestCounter = root.querySelector("[data-latest-counter]");
    var clock = root.querySelector("[data-clock]");

    function draw(state) {
      var items = state.counters.map(function (c) {
        var li = template.content.firstElementChild.cloneNode(true);
        li.querySelector("[data-f=number]").textContent = String(c.number);
        li.querySelector("[data-f=current]").textContent = c.current || "—";
        if (state.latest && c.number === state.latest.counter && c.current === state.latest.code) {
          li.classList.add("is-latest");
        }
        return li;
      });
      grid.replaceChildren.apply(grid, items);
      none.hidden = items.length > 0;
      next.replaceChildren.apply(next, state.next.map(function (code) {
        var li = document.createElement("li"); li.textContent = code; return li;
      }));
      latestCode.textContent = state.latest ? state.latest.code : "—";
      latestCounter.textContent = state.latest ? String(state.latest.counter) : "—";
      if (state.now && clock) { clock.textContent = state.now.slice(11, 16); }
    }

    function flash() {
      latest.classList.remove("flash");
      void latest.offsetWidth;  // restart the animation
      latest.classList.add("flash");
      window.clearTimeout(flashTimer);
      flashTimer = window.setTimeout(function () { latest.classList.remove("flash"); }, FLASH);
    }

    // The server sends the last few seconds' calls again (a call can commit after a later one): each id is
    // announced once, and only calls newer than the page (or its reconnection) are.
    var announced = {};
    function announce(calls) {
      var fresh = calls.filter(function (c) { return !announced[c.id] && c.id > floorId; }).slice(-MAX_CALLS);
      calls.forEach(function (c) { announced[c.id] = true; });
      if (!fresh.length) { return; }
      lastAnnounced = Math.max(lastAnnounced, fresh[fresh.length - 1].id);
      flash();
      if (soundOn) {
        fresh.forEach(function (c) { queue.push(c.audio); });
        playNext();
      }
    }

    // -- the connection -----------------------------------------------------------------------------
    function setOffline(value) {
      if (value === offline) { return; }
      offline = value;
      banner.hidden = !value;
      root.classList.toggle("is-offline", value);
    }
    window.setInterval(function () { if (Date.now() - lastOk > STALE) { setOffline(true); } }, 500);

    function poll() {
      var controller = window.AbortController ? new AbortController() : null;
      var timer = window.setTimeout(function () { if (controller) { controller.abort(); } }, TIMEOUT);
      fetch(root.dataset.stateUrl + "?after=" + lastSeen, {
        headers: { Accept: "application/json" }, cache: "no-store", signal: controller ? controller.signal : undefined
      })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (state) {
          window.clearTimeout(timer);
          failures = 0; lastOk = Date.now();
          draw(state);
          announce(state.calls);
          lastSeen = Math.max(lastSeen, state.last_id);
          setOffline(false);
          window.setTimeout(poll, PERIOD);
        })
        .catch(function () {
          window.clearTimeout(timer);
          failures += 1;
          window.setTimeout(poll, Math.min(PERIOD * Math.pow(2, failures - 1), MAX_BACKOFF));
        });
    }
    window.setTimeout(poll, PERIOD);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
