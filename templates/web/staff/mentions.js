/* The live feed of /menciones: new mentions every few seconds, added at the top without
   a reload; data-* attributes of the table say where to ask and how often. Text is set with
   textContent only: a mention is never HTML. */
(function () {
  "use strict";
  var table = document.getElementById("menciones");
  var body = table.tBodies[0];
  var caption = table.caption;
  var after = Number(table.dataset.after) || 0;
  var query = table.dataset.query;
  var every = (Number(table.dataset.refresh) || 5) * 1000;
  var linkCases = table.dataset.cases === "si";

  function cell(row, text) {
    var td = row.insertCell(-1);
    td.textContent = text;
    return td;
  }

  function link(parent, href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    a.rel = "noopener noreferrer";
    parent.appendChild(a);
    return a;
  }

  function add(m, position) {
    var row = body.insertRow(position);
    row.dataset.id = m.id;
    row.className = "new";
    cell(row, m.posted_label);
    cell(row, m.channel_label + (m.public ? "" : " (privado)"));
    cell(row, m.class_label).className = "class";
    var author = cell(row, m.author);
    if (m.author_name) {
      author.appendChild(document.createElement("br"));
      author.appendChild(document.createTextNode(m.author_name));
    }
    var text = cell(row, m.text.length > 280 ? m.text.slice(0, 277) + "..." : m.text);
    if (m.url) {
      text.appendChild(document.createElement("br"));
      link(text, m.url, "Ver el original");
    }
    var kase = row.insertCell(-1);
    if (!m.radicado) { kase.textContent = "Sin caso"; }
    else if (linkCases) { link(kase, "/casos/" + encodeURIComponent(m.radicado), m.radicado); }
    else { kase.textContent = m.radicado; }
  }

  function banner(spike) {
    var box = document.getElementById("alerta");
    document.getElementById("alerta-texto").textContent =
      "Alerta: " + spike.mentions + " menciones en los últimos " + spike.minutes +
      " minutos (el umbral es " + spike.threshold + ").";
    box.hidden = !spike.active;
  }

  function refresh() {
    fetch("/api/v1/mentions?after=" + after + "&" + query, {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var fresh = data.mentions;
        for (var i = fresh.length - 1; i >= 0; i--) {
          add(fresh[i], 0);
          after = Math.max(after, fresh[i].id);
        }
        if (fresh.length) {
          caption.textContent = body.rows.length + " menciones";
          document.getElementById("avisos").textContent =
            fresh.length === 1 ? "Llegó 1 mención nueva." : "Llegaron " + fresh.length + " menciones nuevas.";
        }
        banner(data.spike);
      })
      .catch(function () { /* the next round tries again */ })
      .finally(function () { window.setTimeout(refresh, every); });
  }
  window.setTimeout(refresh, every);
})();
