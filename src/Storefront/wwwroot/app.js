// The storefront page: plain JavaScript, no framework, no build step. It calls only the Storefront host's /api/…, which
// passes each call on to Ordering's or Inventory's HTTP API. Order states arrive pushed (server-sent events from
// /api/orders/events); the page reads an order once when it learns of it, and again only after a reconnect.
"use strict";

const terminalStates = ["Confirmed", "Rejected", "Cancelled"];
const storedOrdersKey = "storefront.orders";

const products = new Map();   // sku -> { sku, name, price, available }
const cart = new Map();       // sku -> quantity
const orders = new Map();     // orderId -> { orderId, customerId, state, total, reason, history, lines, note }
const unclaimed = new Map();  // orderId -> a state change that arrived before the page knew the order (POST still answering)
let cartKey = null;           // the Idempotency-Key of this cart's submission: a second click re-sends the same key

const $ = (selector, root = document) => root.querySelector(selector);
const money = value => value == null ? "" : Number(value).toFixed(2);

// ---- Talking to the host ----

function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs a secure context; this does not
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, b => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function problemText(response) {
  try {
    const problem = await response.json();
    const fields = problem.errors ? Object.entries(problem.errors).map(([k, v]) => `${k}: ${v.join(" ")}`).join("; ") : "";
    return [problem.title, problem.detail, fields].filter(Boolean).join(" ");
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

async function submitOrder(customerId, lines, idempotencyKey) {
  const response = await fetch("/api/orders", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": idempotencyKey },
    body: JSON.stringify({ customerId, lines }),
  });
  if (!response.ok) throw new Error(await problemText(response));
  const { orderId } = await response.json();
  track(orderId, { customerId, lines });
  return orderId;
}

async function cancelOrder(orderId) {
  const response = await fetch(`/api/orders/${orderId}/cancel`, { method: "POST" });
  const order = orders.get(orderId);
  if (!response.ok && order) {
    order.note = await problemText(response);
    renderOrder(order);
  }
}

async function loadProducts() {
  const response = await fetch("/api/products");
  if (!response.ok) return;
  for (const product of await response.json()) products.set(product.sku, product);
  renderCatalog();
}

let productsReload = null;
function reloadProductsSoon() {
  clearTimeout(productsReload);
  productsReload = setTimeout(loadProducts, 150); // several changes in a burst: one read
}

async function refreshOrder(orderId) {
  const response = await fetch(`/api/orders/${orderId}`);
  if (!response.ok) return;
  apply(await response.json());
}

// ---- Orders and their live states ----

function track(orderId, { customerId, lines }) {
  if (!orders.has(orderId)) {
    orders.set(orderId, { orderId, customerId, state: "Submitted", total: null, reason: null, history: [], lines });
    localStorage.setItem(storedOrdersKey, JSON.stringify([...orders.keys()].slice(-20)));
    renderOrder(orders.get(orderId));
    refreshOrder(orderId);
  }
  const early = unclaimed.get(orderId);
  if (early) { unclaimed.delete(orderId); apply(early); }
}

// An order's view from an event or a read: whichever has seen more of its history wins, so an old read never
// overwrites a newer event, whatever order they arrive in.
function apply(update) {
  const order = orders.get(update.orderId);
  if (!order) return;
  if ((update.history?.length ?? 0) < order.history.length) return;
  const moved = (update.history?.length ?? 0) > order.history.length;
  Object.assign(order, {
    customerId: update.customerId, state: update.state, total: update.total, reason: update.reason, history: update.history,
  });
  if (update.lines) order.lines = update.lines;
  renderOrder(order);
  // A reservation, a release, a sale: the stock may have moved. Here, not only on a live event, because an order's
  // states can arrive before the page knows the order (they wait in `unclaimed`) or through a read.
  if (moved) reloadProductsSoon();
}

function onStateChanged(change) {
  if (orders.has(change.orderId)) {
    apply(change);
  } else {
    unclaimed.set(change.orderId, change);
    if (unclaimed.size > 200) unclaimed.delete(unclaimed.keys().next().value);
  }
}

function listen() {
  const live = $("#live");
  const events = new EventSource("/api/orders/events");
  // The first heartbeat says Ordering has subscribed us: from then on nothing is missed. Read what may have changed
  // while we were not listening (the first time, or after a reconnect).
  let subscribed = false;
  events.addEventListener("heartbeat", () => {
    if (subscribed) return;
    subscribed = true;
    live.dataset.connected = "true";
    live.textContent = "live";
    for (const order of orders.values()) if (!terminalStates.includes(order.state)) refreshOrder(order.orderId);
    loadProducts();
  });
  events.addEventListener("state", e => onStateChanged(JSON.parse(e.data)));
  events.addEventListener("error", () => {
    subscribed = false;
    live.dataset.connected = "false";
    live.textContent = "reconnecting…";
  });
}

// ---- Rendering ----

function renderCatalog() {
  const body = $("#catalog tbody");
  body.replaceChildren(...[...products.values()].map(p => {
    const row = document.createElement("tr");
    row.dataset.sku = p.sku;
    row.innerHTML = `<td class="name"></td><td class="num">${money(p.price)}</td><td class="num available">${p.available}</td>` +
      `<td><button type="button" class="add">Add</button></td>`;
    $(".name", row).textContent = p.name;
    $(".name", row).title = p.sku;
    $(".add", row).addEventListener("click", () => addToCart(p.sku));
    return row;
  }));
  renderCart();
}

function addToCart(sku, quantity = 1) {
  cart.set(sku, (cart.get(sku) ?? 0) + quantity);
  cartKey = null; // a different cart is a different order
  renderCart();
}

function renderCart() {
  const list = $("#cart");
  let total = 0;
  list.replaceChildren(...[...cart.entries()].map(([sku, quantity]) => {
    const product = products.get(sku);
    total += (product?.price ?? 0) * quantity;
    const item = document.createElement("li");
    item.dataset.sku = sku;
    item.innerHTML = `<span class="item"></span><input class="quantity" type="number" min="1" max="1000" value="${quantity}" size="4">`;
    $(".item", item).textContent = product?.name ?? sku;
    $(".quantity", item).addEventListener("change", e => {
      const value = Number.parseInt(e.target.value, 10);
      if (value > 0) cart.set(sku, value); else cart.delete(sku);
      cartKey = null;
      renderCart();
    });
    return item;
  }));
  $("#cart-empty").hidden = cart.size > 0;
  $("#cart-total").textContent = money(total);
  $("#place-order").disabled = cart.size === 0;
}

async function placeOrder() {
  if (cart.size === 0) return;
  cartKey ??= newKey();
  const key = cartKey;
  const lines = [...cart.entries()].map(([sku, quantity]) => ({ sku, quantity }));
  $("#cart-error").textContent = "";
  try {
    await submitOrder(customer(), lines, key);
    if (cartKey === key) { cart.clear(); cartKey = null; renderCart(); }
  } catch (e) {
    $("#cart-error").textContent = e.message;
  }
}

function renderOrder(order) {
  const list = $("#orders");
  let item = list.querySelector(`[data-order-id="${order.orderId}"]`);
  if (!item) {
    item = $("#order-template").content.firstElementChild.cloneNode(true);
    item.dataset.orderId = order.orderId;
    $(".cancel", item).addEventListener("click", () => cancelOrder(order.orderId));
    list.prepend(item);
  }
  $("#orders-empty").hidden = true;
  item.dataset.state = order.state;
  const state = $(".state", item);
  state.textContent = order.state;
  state.dataset.state = order.state;
  $(".order-id", item).textContent = order.orderId;
  $(".customer", item).textContent = order.customerId;
  $(".order-total", item).textContent = order.total == null ? "" : money(order.total);
  $(".lines", item).textContent = (order.lines ?? []).map(l => `${l.quantity} × ${l.sku}`).join(", ");
  $(".reason", item).textContent = order.reason ?? order.note ?? "";
  $(".cancel", item).hidden = terminalStates.includes(order.state);
  $(".history", item).replaceChildren(...order.history.map(h => {
    const entry = document.createElement("li");
    entry.textContent = `${h.state} ${new Date(h.at).toLocaleTimeString([], { hour12: false })}`;
    entry.title = h.at;
    return entry;
  }));
}

// ---- Try-it scenarios: each places a real order ----

const customer = () => $("#customer").value.trim();
const firstInStock = () => [...products.values()].find(p => p.available > 0);

async function scenario(run) {
  $("#cart-error").textContent = "";
  try { await run(); } catch (e) { $("#cart-error").textContent = e.message; }
}

function wireScenarios() {
  // The simulated payment provider declines every charge of this customer: the order ends Cancelled, its stock released.
  $("#try-declined").addEventListener("click", () => scenario(async () => {
    const product = firstInStock();
    await submitOrder("customer-declined", [{ sku: product.sku, quantity: 1 }], newKey());
  }));
  // One more than the stock: Inventory refuses the reservation and the order ends Rejected.
  $("#try-out-of-stock").addEventListener("click", () => scenario(async () => {
    const product = [...products.values()].sort((a, b) => a.available - b.available)[0];
    await submitOrder(customer(), [{ sku: product.sku, quantity: Math.min(product.available + 1, 1000) }], newKey());
  }));
  // Cancelled as soon as it is accepted: the cancel reaches the saga well before the payment would be captured.
  $("#try-cancel").addEventListener("click", () => scenario(async () => {
    const product = firstInStock();
    const orderId = await submitOrder(customer(), [{ sku: product.sku, quantity: 1 }], newKey());
    await cancelOrder(orderId);
  }));
}

// ---- Start ----

$("#place-order").addEventListener("click", placeOrder);
wireScenarios();
listen();
loadProducts();
// The orders this browser placed before, and any named in the address (#follow=<id>,<id>: an order placed elsewhere,
// e.g. with curl, followed here).
const followed = new URLSearchParams(location.hash.slice(1)).get("follow")?.split(",") ?? [];
for (const orderId of [...JSON.parse(localStorage.getItem(storedOrdersKey) ?? "[]"), ...followed]) {
  if (/^[0-9a-f-]{36}$/i.test(orderId)) track(orderId, { customerId: "", lines: [] });
}
