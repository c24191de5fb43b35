// The live-room overlay: plain browser script (no build step), served by the gateway with graphql-ws's UMD build.
// State arrives over one graphql-ws connection; every subscription starts with a snapshot, so a reconnect heals.
(function () {
  "use strict";
  var ops = JSON.parse(document.getElementById("operations").textContent);
  var liveSessionId = decodeURIComponent(location.pathname.split("/").pop());
  var params = new URLSearchParams(location.search);
  // A promoter's token (?token=) adds its price-guard alerts; it is kept in memory only, out of the address bar.
  var token = params.get("token");
  if (token) {
    params.delete("token");
    history.replaceState(null, "", location.pathname + (params.size ? "?" + params : ""));
  }
  var ALERT_SECONDS = Math.max(5, Number(params.get("alertSeconds")) || 60);
  var MAX_SALES = 3;
  var MAX_ALERTS = 3;
  var KEEP_ALIVE_MS = 10000;
  var PONG_WAIT_MS = 5000;

  var $ = function (id) { return document.getElementById(id); };
  var count = new Intl.NumberFormat("zh-CN");
  var el = function (tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  function showProblem(message) {
    $("problem").textContent = message;
    $("problem").hidden = !message;
  }

  // A connection counts "generations": the first inventory message after a (re)connect is a fresh snapshot and is
  // always taken; within one connection only a newer version replaces what is shown.
  var generation = 0;
  var activeSocket = null;
  var pongTimer = null;
  var client = graphqlWs.createClient({
    url: (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/graphql",
    connectionParams: function () { return token ? { authorization: "Bearer " + token } : {}; },
    lazy: false,
    keepAlive: KEEP_ALIVE_MS,
    retryAttempts: Infinity,
    shouldRetry: function () { return true; },
    retryWait: function (retries) {
      var ms = Math.min(5000, 250 * Math.pow(2, retries)) * (0.5 + Math.random() / 2);
      return new Promise(function (resolve) { setTimeout(resolve, ms); });
    },
    on: {
      connected: function (socket) {
        activeSocket = socket;
        generation += 1;
        document.body.dataset.connection = "connected";
        $("connection").hidden = true;
        showProblem("");
      },
      closed: function () {
        activeSocket = null;
        clearTimeout(pongTimer);
        document.body.dataset.connection = "reconnecting";
        $("connection").hidden = false;
      },
      // A connection that stops answering pings is closed, so the client reconnects instead of waiting forever.
      ping: function (received) {
        if (received) return;
        pongTimer = setTimeout(function () {
          if (activeSocket && activeSocket.readyState === WebSocket.OPEN) activeSocket.close(4408, "Pong timeout");
        }, PONG_WAIT_MS);
      },
      pong: function (received) { if (received) clearTimeout(pongTimer); },
    },
  });

  function describe(error) {
    if (Array.isArray(error)) return error.map(function (e) { return e.message; }).join("; ");
    if (error && typeof error.code === "number") return "connection closed (" + error.code + (error.reason ? ": " + error.reason : "") + ")";
    return error && error.message ? error.message : String(error);
  }

  /** Runs one of the page's operations; an operation that fails is tried again a little later. */
  function run(name, onData) {
    var dispose = null;
    var retry = null;
    function start() {
      var op = ops[name];
      dispose = client.subscribe(
        { query: op.query, operationName: name, variables: { liveSessionId: liveSessionId }, extensions: { persistedQuery: { version: 1, sha256Hash: op.hash } } },
        {
          next: function (result) {
            if (result.errors && result.errors.length) return showProblem(describe(result.errors));
            onData(result.data);
          },
          error: function (error) {
            showProblem(describe(error));
            retry = setTimeout(start, 10000);
          },
          complete: function () {},
        },
      );
    }
    start();
    return {
      restart: function () {
        clearTimeout(retry);
        if (dispose) dispose();
        start();
      },
    };
  }

  // Stock countdown -------------------------------------------------------------------------------------------------
  var shown = { generation: -1, version: -1 };
  var STATE_TEXT = { RUNNING: "剩余 · left", SCHEDULED: "即将开始 · soon", SOLD_OUT: "已售罄 · SOLD OUT", ENDED: "已结束 · ENDED" };
  var ORDER = { RUNNING: 0, SCHEDULED: 1, SOLD_OUT: 2, ENDED: 3 };

  function onInventory(data) {
    var inventory = data.flashSaleInventory;
    if (shown.generation === generation && inventory.version <= shown.version) return;
    shown = { generation: generation, version: inventory.version };
    document.body.dataset.inventoryVersion = String(inventory.version);
    // Open sales first; among equals the newest (the list comes oldest first).
    var sales = inventory.sales
      .map(function (sale, index) { return { sale: sale, index: index }; })
      .sort(function (a, b) { return ORDER[a.sale.status] - ORDER[b.sale.status] || b.index - a.index; })
      .slice(0, MAX_SALES)
      .map(function (entry) { return entry.sale; });
    var list = $("sales");
    list.replaceChildren.apply(list, sales.map(saleCard));
  }

  function saleCard(sale) {
    var card = el("article", "sale");
    card.dataset.flashSaleId = sale.flashSaleId;
    card.dataset.status = sale.status;
    card.dataset.remaining = String(sale.remainingUnits);
    card.appendChild(el("div", "product", sale.flashSale.product.title));
    var price = el("div", "price");
    price.appendChild(el("span", "label", "秒杀价 "));
    price.appendChild(el("span", "amount", "¥" + sale.flashSale.flashPrice.amount));
    card.appendChild(price);
    var units = el("div", "units");
    units.appendChild(el("span", "remaining", count.format(sale.remainingUnits)));
    units.appendChild(el("span", "allocated", " / " + count.format(sale.allocatedUnits) + " 件"));
    card.appendChild(units);
    var bar = el("div", "bar");
    var fill = el("div", "fill");
    fill.style.width = (sale.allocatedUnits ? (100 * sale.remainingUnits) / sale.allocatedUnits : 0) + "%";
    bar.appendChild(fill);
    card.appendChild(bar);
    card.appendChild(el("div", "state", STATE_TEXT[sale.status] || sale.status));
    return card;
  }

  // Room: title, viewers, pinned products ---------------------------------------------------------------------------
  var room = run("OverlayRoom", function (data) {
    var event = data.liveSessionEvents;
    switch (event.__typename) {
      case "LiveSessionSnapshot":
        $("title").textContent = event.liveSession.title;
        setViewers(event.viewers);
        renderCart(event.liveSession.cart);
        $("session-ended").hidden = event.liveSession.status !== "ENDED";
        break;
      case "ViewerCountChanged":
        setViewers(event.viewers);
        break;
      case "CartItemPinned":
      case "CartItemUnpinned":
        // The event names the product only: a fresh snapshot brings the cart with titles and prices.
        room.restart();
        break;
      case "LiveSessionEnded":
        $("session-ended").hidden = false;
        break;
    }
  });

  function setViewers(viewers) {
    $("viewers").hidden = false;
    $("viewer-count").textContent = count.format(viewers);
    $("viewers").dataset.viewers = String(viewers);
  }

  function renderCart(items) {
    $("cart-panel").hidden = items.length === 0;
    $("cart").replaceChildren.apply(
      $("cart"),
      items.map(function (item) {
        var li = el("li", "item");
        li.dataset.productId = item.product.id;
        li.appendChild(el("span", "title", item.product.title));
        li.appendChild(el("span", "amount", "¥" + item.product.price.amount));
        return li;
      }),
    );
  }

  // Price-guard alerts (a promoter's token) --------------------------------------------------------------------------
  var LEVEL_TEXT = { WARNING: "价格预警 · WARNING", BLOCKED: "已拦截 · BLOCKED", VIOLATION: "违规 · VIOLATION" };
  function onAlert(data) {
    var alert = data.priceGuardAlerts;
    var box = el("div", "alert");
    box.dataset.level = alert.level;
    box.dataset.alertId = alert.alertId;
    box.appendChild(el("div", "level", LEVEL_TEXT[alert.level] || alert.level));
    box.appendChild(el("div", "product", alert.product.title + "  ¥" + alert.handPrice.amount + " (底价 floor ¥" + alert.floor.amount + ")"));
    box.appendChild(el("div", "message", alert.message));
    var alerts = $("alerts");
    alerts.prepend(box);
    while (alerts.children.length > MAX_ALERTS) alerts.lastElementChild.remove();
    setTimeout(function () { box.remove(); }, ALERT_SECONDS * 1000);
  }

  run("OverlayInventory", onInventory);
  if (token) run("OverlayAlerts", onAlert);
})();
