/* safeguard-rules report: the overdue list, the child index and the per-child timelines,
   drawn from the JSON in this page. No network, no external code. Field orders mirror
   safeguard_rules/_report/_data.py. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var S = D.s;
  var OB = { id: 0, rule: 1, action: 2, responsible: 3, copied: 4, strength: 5, triggeredBy: 6,
    triggeredAt: 7, due: 8, status: 9, metBy: 10, metAt: 11, cancelledBy: 12, dueBasis: 13,
    dueCase: 14, basis: 15, parameter: 16, escalation: 17, citation: 18, trigger: 19, cases: 20,
    steps: 21, missing: 22, reason: 23 };
  var EV = { id: 0, type: 1, at: 2 };
  var FI = { rule: 0, kind: 1, severity: 2, message: 3, event: 4, obligation: 5, at: 6, citation: 7 };
  var IX = { child: 0, events: 1, obligations: 2, overdue: 3, open: 4, findings: 5, timeline: 6, cannot: 7 };
  var UN = { rule: 0, severity: 1, event: 2, at: 3, missing: 4, reason: 5, citation: 6 };
  var OD = { child: 0, rule: 1, action: 2, responsible: 3, due: 4, late: 5, escalation: 6, id: 7 };
  var LABELS = { met: "met", met_late: "met late", overdue: "overdue", open: "open",
    cancelled: "cancelled", cannot_evaluate: "cannot evaluate" };
  var WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var PAGE = 50;
  var SVGNS = "http://www.w3.org/2000/svg";

  function str(i) { return i < 0 ? null : S[i]; }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function fmt(min) {
    if (min === null || min === undefined) { return "–"; }
    // A date-only moment (no time recorded) is the middle of its day plus half a minute.
    if (min % 1 !== 0) { return fmtDay(Math.floor(min / 1440)) + " (date only)"; }
    var d = new Date(min * 60000);
    return DAYS[d.getUTCDay()] + " " + d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" +
      pad(d.getUTCDate()) + " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }
  // A date-only moment (the record gives no clock time) is drawn across its whole day.
  function dateOnly(min) { return min !== null && min !== undefined && min % 1 !== 0; }
  function dayStart(min) { return Math.floor(min / 1440) * 1440; }
  function fmtDay(day) {
    var d = new Date(day * 86400000);
    return DAYS[d.getUTCDay()] + " " + d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
  }
  function statusLabel(st) { return Object.prototype.hasOwnProperty.call(LABELS, st) ? LABELS[st] : st; }
  function statusClass(st) { return Object.prototype.hasOwnProperty.call(LABELS, st) ? st : "unknown"; }
  function roleTitle(role) { return Object.prototype.hasOwnProperty.call(D.roles, role) ? D.roles[role] : role; }
  function ruleId(i) { return D.rules[i][0]; }
  function ruleTitle(i) { return D.rules[i][1]; }

  function el(tag, attrs, kids) {
    var node = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); }); }
    (kids || []).forEach(function (kid) {
      if (kid === null || kid === undefined) { return; }
      node.appendChild(typeof kid === "string" || typeof kid === "number" ? document.createTextNode(String(kid)) : kid);
    });
    return node;
  }
  function sv(tag, attrs, text) {
    var node = document.createElementNS(SVGNS, tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); }); }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function tip(node, text) { node.appendChild(sv("title", null, text)); return node; }
  function childLink(id) {
    var n = childNumber.get(id);
    if (n !== undefined && !D.children[n][IX.timeline]) {
      return el("span", null, [id, " ", el("small", null, ["(no timeline in this report)"])]);
    }
    return el("a", { href: "#child=" + encodeURIComponent(id) }, [id]);
  }
  function badge(st) { return el("span", { "class": "badge " + statusClass(st) }, [statusLabel(st)]); }

  var childNumber = new Map();
  D.children.forEach(function (row, i) { childNumber.set(row[IX.child], i); });
  var closed = new Map();
  D.closed.forEach(function (row) { closed.set(row[0], S[row[1]]); });

  /* --- paged tables ------------------------------------------------------------------ */

  function pager(box, status, total, page, noun, go) {
    var pages = Math.max(1, Math.ceil(total / PAGE));
    var first = total === 0 ? 0 : page * PAGE + 1;
    var last = Math.min(total, (page + 1) * PAGE);
    status.textContent = total === 0 ? "No " + noun + " match." :
      "Showing " + first + "–" + last + " of " + total + " " + noun + ".";
    box.textContent = "";
    var prev = el("button", { type: "button" }, ["Previous page"]);
    var next = el("button", { type: "button" }, ["Next page"]);
    prev.disabled = page <= 0;
    next.disabled = page >= pages - 1;
    prev.addEventListener("click", function () { go(page - 1); });
    next.addEventListener("click", function () { go(page + 1); });
    box.appendChild(prev);
    box.appendChild(el("span", null, ["page " + (page + 1) + " of " + pages]));
    box.appendChild(next);
  }

  function overdueView() {
    var body = document.getElementById("overdue-body");
    if (!body) { return; }
    var rule = document.getElementById("overdue-rule");
    var role = document.getElementById("overdue-role");
    var child = document.getElementById("overdue-child");
    var page = 0;
    function rows() {
      var r = rule.value, o = role.value, c = child.value.trim().toLowerCase();
      return D.overdue.filter(function (row) {
        return (!r || ruleId(row[OD.rule]) === r) && (!o || S[row[OD.responsible]] === o) &&
          (!c || D.children[row[OD.child]][IX.child].toLowerCase().indexOf(c) >= 0);
      });
    }
    function draw(p) {
      var matching = rows();
      page = Math.max(0, Math.min(p, Math.ceil(matching.length / PAGE) - 1));
      body.textContent = "";
      matching.slice(page * PAGE, (page + 1) * PAGE).forEach(function (row) {
        var role = S[row[OD.responsible]];
        body.appendChild(el("tr", null, [
          el("td", null, [childLink(D.children[row[OD.child]][IX.child])]),
          el("td", null, [S[row[OD.action]]]),
          el("td", null, [ruleTitle(row[OD.rule]), " ", el("code", null, [ruleId(row[OD.rule])])]),
          el("td", null, [roleTitle(role), " ", el("code", null, [role])]),
          el("td", null, [fmt(row[OD.due])]),
          el("td", null, [S[row[OD.late]]]),
          el("td", null, [str(row[OD.escalation]) || "–"])
        ]));
      });
      pager(document.getElementById("overdue-pager"), document.getElementById("overdue-status"),
        matching.length, page, "overdue obligations", draw);
    }
    [rule, role, child].forEach(function (input) {
      input.addEventListener("input", function () { draw(0); });
    });
    document.getElementById("overdue-filters").addEventListener("submit", function (e) { e.preventDefault(); });
    draw(0);
  }

  function childIndexView() {
    var body = document.getElementById("child-body");
    var search = document.getElementById("child-search");
    var only = document.getElementById("child-overdue-only");
    function draw(p) {
      var c = search.value.trim().toLowerCase();
      var matching = D.children.filter(function (row) {
        return (!c || row[IX.child].toLowerCase().indexOf(c) >= 0) && (!only.checked || row[IX.overdue] > 0);
      });
      var page = Math.max(0, Math.min(p, Math.ceil(matching.length / PAGE) - 1));
      body.textContent = "";
      matching.slice(page * PAGE, (page + 1) * PAGE).forEach(function (row) {
        body.appendChild(el("tr", null, [
          el("th", { scope: "row" }, [childLink(row[IX.child])]),
          el("td", { "class": "num" }, [row[IX.events]]),
          el("td", { "class": "num" }, [row[IX.obligations]]),
          el("td", { "class": "num" }, [row[IX.overdue]]),
          el("td", { "class": "num" }, [row[IX.open]]),
          el("td", { "class": "num" }, [row[IX.cannot]]),
          el("td", { "class": "num" }, [row[IX.findings]])
        ]));
      });
      pager(document.getElementById("child-pager"), document.getElementById("child-status"),
        matching.length, page, "children", draw);
    }
    search.addEventListener("input", function () { draw(0); });
    only.addEventListener("change", function () { draw(0); });
    document.getElementById("child-filters").addEventListener("submit", function (e) { e.preventDefault(); });
    draw(0);
  }

  /* --- one child's timeline ------------------------------------------------------------ */

  function eventText(events, ref) {
    if (ref === -1 || ref === null || ref === undefined) { return null; }
    if (typeof ref === "string") { return ref; }
    var e = events[ref];
    return e[EV.id] + " (" + S[e[EV.type]] + ", " + fmt(e[EV.at]) + ")";
  }

  function dueNote(o) {
    var basis = str(o[OB.basis]);
    if (basis === "local_default" || basis === "local_override") {
      var parameter = str(o[OB.parameter]);
      return el("span", { "class": "tag" }, [
        (basis === "local_default" ? "local default" : "local override") + (parameter ? ": " + parameter : "")
      ]);
    }
    return null;
  }

  function trace(o, events) {
    var lines = [];
    var responsible = S[o[OB.responsible]];
    var copied = str(o[OB.copied]);
    lines.push("obligation " + o[OB.id]);
    lines.push("  rule      " + ruleId(o[OB.rule]) + ": " + ruleTitle(o[OB.rule]) + " (" + S[o[OB.strength]] + ")");
    lines.push("  action    " + S[o[OB.action]] + " by " + responsible + (copied ? ", copying in " + copied : ""));
    lines.push("  trigger   " + S[o[OB.trigger]]);
    lines.push("  triggered " + fmt(o[OB.triggeredAt]) + " by " +
      o[OB.triggeredBy].map(function (r) { return eventText(events, r); }).join(", "));
    lines.push("  deadline");
    S[o[OB.cases]].split("\n").forEach(function (c) { if (c) { lines.push("    " + c); } });
    D.steps[o[OB.steps]].forEach(function (i) { lines.push("    - " + S[i]); });
    var status = "  status    " + statusLabel(S[o[OB.status]]);
    if (str(o[OB.reason])) { status += ": " + str(o[OB.reason]); }
    var esc = str(o[OB.escalation]);
    if (esc && S[o[OB.status]] === "overdue") { status += "; " + esc; }
    lines.push(status);
    return lines.join("\n");
  }

  function citationBlock(index) {
    if (index < 0) { return el("p", null, ["No citation: the rule is a draft."]); }
    var c = D.citations[index];
    return el("div", null, [el("blockquote", null, ["“" + S[c[0]] + "”"]), el("p", { "class": "source" }, ["Source: " + (str(c[1]) || "–")])]);
  }

  function openDetails(i) {
    var row = document.getElementById("ob-" + i);
    if (!row) { return; }
    var details = row.querySelector("details");
    details.open = true;
    Array.prototype.forEach.call(document.querySelectorAll("tr.target"), function (r) { r.classList.remove("target"); });
    row.classList.add("target");
    row.scrollIntoView({ block: "center" });
    details.querySelector("summary").focus();
  }

  function timelineSvg(childId, data) {
    var events = data.e, obs = data.o, fis = data.f, uns = data.u || [];
    var order = obs.map(function (o, i) { return i; });
    order.sort(function (a, b) {
      return obs[a][OB.triggeredAt] - obs[b][OB.triggeredAt] || (obs[a][OB.id] < obs[b][OB.id] ? -1 : 1);
    });
    var times = [];
    events.forEach(function (e) { times.push(e[EV.at]); });
    obs.forEach(function (o) {
      times.push(o[OB.triggeredAt]);
      if (o[OB.due] !== null) { times.push(o[OB.due]); }
      if (o[OB.metAt] !== null) { times.push(o[OB.metAt]); }
    });
    fis.forEach(function (f) { times.push(f[FI.at]); });
    uns.forEach(function (u) { times.push(u[UN.at]); });
    if (!times.length) { times.push(D.asOf); }
    var lo = Math.min.apply(null, times), hi = Math.max.apply(null, times);
    var showAsOf = D.asOf >= lo && D.asOf - hi <= 60 * 1440;
    if (showAsOf) { hi = Math.max(hi, D.asOf); }
    var dayLo = Math.floor(lo / 1440) - 1, dayHi = Math.floor(hi / 1440) + 2;
    var span = dayHi - dayLo;
    var px = Math.max(3, Math.min(48, 1000 / span));
    var LABELW = 290, AXIS = 40, EVH = 34, FIH = fis.length + uns.length ? 30 : 0, ROW = 26;
    var chartW = span * px, W = Math.ceil(LABELW + chartW + 170);
    var top = AXIS + EVH + FIH;
    var H = top + obs.length * ROW + 12;
    function x(min) { return LABELW + (min / 1440 - dayLo) * px; }
    var root = sv("svg", { "class": "timeline", width: W, height: H, viewBox: "0 0 " + W + " " + H,
      role: "group", "aria-label": "Timeline of " + childId + ": " + events.length + " events, " +
      obs.length + " obligations, " + fis.length + " findings, " + fmtDay(dayLo) + " to " + fmtDay(dayHi - 1) });
    var defs = sv("defs");
    var hatch = sv("pattern", { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
    hatch.appendChild(sv("rect", { width: 6, height: 6, fill: "#d0d7de" }));
    hatch.appendChild(sv("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#8c959f", "stroke-width": 2 }));
    defs.appendChild(hatch);
    root.appendChild(defs);
    // Days that are not working days in the pack's calendar.
    var shade = sv("g", { "aria-hidden": "true" });
    for (var day = dayLo; day < dayHi; day++) {
      if (!closed.has(day)) { continue; }
      var reason = closed.get(day);
      var holiday = WEEKDAY_NAMES.indexOf(reason) < 0;
      shade.appendChild(tip(sv("rect", { "class": "closed" + (holiday ? " holiday" : ""), x: x(day * 1440), y: AXIS - 6,
        width: Math.max(1, px), height: H - AXIS + 6 }), fmtDay(day) + ": not a working day (" + reason + ")"));
    }
    root.appendChild(shade);
    // Axis: days, weeks (Mondays) or months depending on the scale.
    var axis = sv("g", { "aria-hidden": "true" });
    for (day = dayLo; day < dayHi; day++) {
      var d = new Date(day * 86400000);
      var label = null;
      if (px >= 22) { label = d.getUTCDate() + (d.getUTCDate() === 1 || day === dayLo ? " " + MONTHS[d.getUTCMonth()] : ""); }
      else if (px >= 7) { if (d.getUTCDay() === 1) { label = d.getUTCDate() + " " + MONTHS[d.getUTCMonth()]; } }
      else if (d.getUTCDate() === 1 && (px >= 3.5 || d.getUTCMonth() % 3 === 0)) { label = MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear(); }
      if (label === null) { continue; }
      axis.appendChild(sv("line", { "class": "tick", x1: x(day * 1440), x2: x(day * 1440), y1: AXIS - 6, y2: H }));
      axis.appendChild(sv("text", { "class": "axis", x: x(day * 1440) + 2, y: AXIS - 10 }, label));
    }
    axis.appendChild(sv("text", { "class": "rowlabel", x: 8, y: AXIS + EVH / 2 + 4 }, "Events (" + events.length + ")"));
    if (FIH) {
      axis.appendChild(sv("text", { "class": "rowlabel", x: 8, y: AXIS + EVH + FIH / 2 + 4 }, "Findings (" + fis.length + ")" +
        (uns.length ? ", cannot evaluate (" + uns.length + ")" : "")));
    }
    root.appendChild(axis);
    if (showAsOf) {
      root.appendChild(sv("line", { "class": "asof", x1: x(D.asOf), x2: x(D.asOf), y1: AXIS - 6, y2: H }));
      root.appendChild(sv("text", { "class": "axis", x: x(D.asOf) + 3, y: H - 2 }, "as of"));
    }
    // Events and findings.
    var evg = sv("g", { "aria-hidden": "true" });
    events.forEach(function (e) {
      var at = e[EV.at], mark;
      if (dateOnly(at)) {
        mark = sv("rect", { "class": "event day", x: x(dayStart(at)), y: AXIS + EVH / 2 - 5,
          width: Math.max(10, px), height: 10, rx: 5 });
      } else {
        mark = sv("circle", { "class": "event", cx: x(at), cy: AXIS + EVH / 2, r: 5 });
      }
      evg.appendChild(tip(mark, e[EV.id] + " " + S[e[EV.type]] + ", " + fmt(at)));
    });
    root.appendChild(evg);
    var fig = sv("g", { "aria-hidden": "true" });
    fis.forEach(function (f) {
      var at = f[FI.event] !== -1 && typeof f[FI.event] === "number" ? events[f[FI.event]][EV.at] : f[FI.at];
      var cx = x(at), cy = AXIS + EVH + FIH / 2;
      var g = sv("g", { "class": "finding-mark" });
      g.appendChild(sv("path", { "class": "finding", d: "M" + cx + " " + (cy - 9) + " L" + (cx + 8) + " " + (cy + 6) + " L" + (cx - 8) + " " + (cy + 6) + " Z" }));
      g.appendChild(sv("text", { x: cx - 2, y: cy + 4 }, "!"));
      tip(g, "finding (" + S[f[FI.severity]] + ", " + S[f[FI.kind]] + "): " + f[FI.message]);
      fig.appendChild(g);
    });
    uns.forEach(function (u) {
      var at = typeof u[UN.event] === "number" && u[UN.event] !== -1 ? events[u[UN.event]][EV.at] : u[UN.at];
      var cx = x(at), cy = AXIS + EVH + FIH / 2;
      var g = sv("g", { "class": "undetermined-mark" });
      g.appendChild(sv("path", { "class": "undetermined", d: "M" + cx + " " + (cy - 9) + " L" + (cx + 8) + " " + (cy + 6) + " L" + (cx - 8) + " " + (cy + 6) + " Z" }));
      g.appendChild(sv("text", { x: cx - 3, y: cy + 4 }, "?"));
      tip(g, "cannot evaluate (" + S[u[UN.severity]] + ", " + ruleId(u[UN.rule]) + "): " + S[u[UN.reason]]);
      fig.appendChild(g);
    });
    root.appendChild(fig);
    // Obligations: one row each, a bar from trigger to deadline.
    order.forEach(function (i, row) {
      var o = obs[i];
      var st = S[o[OB.status]];
      var y = top + row * ROW + 4;
      var trig = o[OB.triggeredAt];
      var x1 = x(dateOnly(trig) ? dayStart(trig) : trig);
      var end = o[OB.due] !== null ? o[OB.due] : (o[OB.metAt] !== null ? o[OB.metAt] : hi);
      if (dateOnly(end)) { end = dayStart(end) + 1440; }
      var x2 = Math.max(x1 + 4, x(end));
      var note = str(o[OB.basis]) === "local_default" ? " · local default" : str(o[OB.basis]) === "local_override" ? " · local override" : "";
      var missing = str(o[OB.missing]);
      if (missing) { note += " · not recorded: " + missing; }
      var name = S[o[OB.action]] + ": " + statusLabel(st) + ", triggered " + fmt(o[OB.triggeredAt]) +
        (o[OB.due] !== null ? ", due " + fmt(o[OB.due]) : ", no deadline") +
        (o[OB.metAt] !== null ? ", met " + fmt(o[OB.metAt]) : "") + note +
        (str(o[OB.reason]) ? " (" + str(o[OB.reason]) + ")" : "") + ". Press Enter for the citation and explain trace.";
      var g = sv("g", { "class": "ob", tabindex: 0, role: "button", "aria-label": name, "data-obligation": o[OB.id] });
      var action = S[o[OB.action]];
      g.appendChild(sv("text", { "class": "rowlabel", x: 8, y: y + 13 }, action.length > 40 ? action.slice(0, 39) + "…" : action));
      g.appendChild(sv("rect", { "class": "st st-" + statusClass(st) + (o[OB.due] === null ? " nodue" : ""), x: x1, y: y, width: x2 - x1, height: 16, rx: 3 }));
      var labelX = x2 + 6;
      if (st === "overdue" && o[OB.due] !== null) {
        // Runs on towards the as-of time; the status label sits on it, just after the bar.
        var lateEnd = showAsOf ? x(D.asOf) : x(hi) + 40;
        g.appendChild(sv("line", { "class": "late-line", x1: x2, x2: lateEnd, y1: y + 8, y2: y + 8 }));
      }
      if (o[OB.metAt] !== null && dateOnly(o[OB.metAt])) {
        // Met on a day, at a time not recorded: a mark across that day.
        var dx = x(dayStart(o[OB.metAt])), dw = Math.max(10, px);
        g.appendChild(sv("rect", { "class": "metmark day", x: dx, y: y + 2, width: dw, height: 12, rx: 6 }));
        labelX = Math.max(labelX, dx + dw + 4);
      } else if (o[OB.metAt] !== null) {
        var mx = x(o[OB.metAt]);
        g.appendChild(sv("path", { "class": "metmark", d: "M" + mx + " " + (y + 1) + " L" + (mx + 7) + " " + (y + 8) + " L" + mx + " " + (y + 15) + " L" + (mx - 7) + " " + (y + 8) + " Z" }));
        labelX = Math.max(labelX, mx + 10);
      }
      g.appendChild(sv("text", { "class": "statuslabel", x: labelX, y: y + 13 }, statusLabel(st) + note));
      tip(g, name);
      function open(ev) {
        if (ev.type === "click" || ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); openDetails(i); }
      }
      g.addEventListener("click", open);
      g.addEventListener("keydown", open);
      root.appendChild(g);
    });
    return root;
  }

  function showChild(childId) {
    var section = document.getElementById("timeline");
    var body = document.getElementById("timeline-body");
    var heading = document.getElementById("timeline-h");
    section.hidden = false;
    body.textContent = "";
    var n = childNumber.get(childId);
    if (n === undefined) {
      heading.textContent = "Timeline";
      body.appendChild(el("p", null, ["There is no child with id " + childId + " in this report."]));
      heading.focus();
      return;
    }
    var blob = document.getElementById("c" + n);
    if (!blob) {
      heading.textContent = "Timeline: " + childId;
      body.appendChild(el("p", null, ["The timeline of " + childId + " is not in this report: it was made " +
        "with a limit on the number of timelines (--max-children). Make a report of this child alone " +
        "with --child " + childId + "."]));
      heading.focus();
      return;
    }
    var data = JSON.parse(blob.textContent);
    var events = data.e, obs = data.o, fis = data.f, uns = data.u || [];
    var row = D.children[n];
    heading.textContent = "Timeline: " + childId;
    body.appendChild(el("p", null, [events.length + " events, " + obs.length + " obligations (" +
      row[IX.overdue] + " overdue, " + row[IX.open] + " open" +
      (row[IX.cannot] ? ", " + row[IX.cannot] + " cannot evaluate" : "") + "), " + fis.length + " findings. Times in " + D.tz + "."]));
    var scroll = el("div", { "class": "scroll", tabindex: 0, role: "region", "aria-label": "Timeline chart of " + childId + " (scrolls sideways)" });
    scroll.appendChild(timelineSvg(childId, data));
    body.appendChild(el("figure", null, [scroll, el("figcaption", null, [
      "Each bar runs from an obligation's trigger to its deadline; its status is written at its end. " +
      "Shaded days are not working days. The tables below say the same in words."])]));

    // Obligations, in the same order as the chart.
    var order = obs.map(function (o, i) { return i; });
    order.sort(function (a, b) {
      return obs[a][OB.triggeredAt] - obs[b][OB.triggeredAt] || (obs[a][OB.id] < obs[b][OB.id] ? -1 : 1);
    });
    var tbody = el("tbody");
    order.forEach(function (i) {
      var o = obs[i];
      var st = S[o[OB.status]];
      var done = o[OB.metBy] !== -1 ? "met by " + eventText(events, o[OB.metBy]) :
        o[OB.cancelledBy] !== -1 ? "cancelled by " + eventText(events, o[OB.cancelledBy]) : "–";
      var details = el("details", { "class": "ob-details" }, [
        el("summary", null, ["Citation and explain trace"]),
        citationBlock(o[OB.citation]),
        el("div", { "class": "trace" }, [trace(o, events)])
      ]);
      tbody.appendChild(el("tr", { id: "ob-" + i, "data-obligation": o[OB.id] }, [
        el("th", { scope: "row" }, [S[o[OB.action]], el("br"), el("small", null, [ruleTitle(o[OB.rule]), " ", el("code", null, [ruleId(o[OB.rule])])])]),
        el("td", null, [roleTitle(S[o[OB.responsible]]), " ", el("code", null, [S[o[OB.responsible]]])]),
        el("td", null, [fmt(o[OB.triggeredAt])]),
        el("td", { "class": "due" }, [fmt(o[OB.due]), el("br"), el("small", null, [S[o[OB.dueBasis]]]), " ", dueNote(o)]),
        el("td", { "class": "status" }, [badge(st)].concat(str(o[OB.missing]) ?
          [el("br"), el("small", null, ["not recorded: " + str(o[OB.missing])])] : [])),
        el("td", null, [done]),
        el("td", null, [details])
      ]));
    });
    body.appendChild(el("h3", null, ["Obligations"]));
    body.appendChild(el("table", { "class": "list obligations" }, [
      el("caption", null, ["Obligations of " + childId + " by trigger time"]),
      el("thead", null, [el("tr", null, ["Action and rule", "Responsible role", "Triggered", "Due", "Status", "Met or cancelled", "Why"].map(function (h) { return el("th", { scope: "col" }, [h]); }))]),
      tbody
    ]));

    var ftbody = el("tbody");
    fis.forEach(function (f) {
      var at = typeof f[FI.event] === "number" && f[FI.event] !== -1 ? events[f[FI.event]][EV.at] : f[FI.at];
      ftbody.appendChild(el("tr", null, [
        el("td", null, [fmt(at)]),
        el("td", null, [S[f[FI.severity]]]),
        el("td", null, [S[f[FI.kind]]]),
        el("td", null, [eventText(events, f[FI.event]) || "–"]),
        el("td", null, [f[FI.message]]),
        el("td", null, [el("code", null, [ruleId(f[FI.rule])])])
      ]));
    });
    body.appendChild(el("h3", null, ["Findings"]));
    body.appendChild(fis.length ? el("table", { "class": "list findings" }, [
      el("caption", null, ["Findings for " + childId]),
      el("thead", null, [el("tr", null, ["When", "Severity", "Kind", "Event", "Finding", "Rule"].map(function (h) { return el("th", { scope: "col" }, [h]); }))]),
      ftbody
    ]) : el("p", null, ["No findings."]));

    if (uns.length) {
      var utbody = el("tbody");
      uns.forEach(function (u) {
        var at = typeof u[UN.event] === "number" && u[UN.event] !== -1 ? events[u[UN.event]][EV.at] : u[UN.at];
        utbody.appendChild(el("tr", null, [
          el("td", null, [fmt(at)]),
          el("td", null, [S[u[UN.severity]]]),
          el("td", null, [eventText(events, u[UN.event]) || "–"]),
          el("td", null, [badge("cannot_evaluate"), " ", S[u[UN.reason]]]),
          el("td", null, [S[u[UN.missing]]]),
          el("td", null, [el("code", null, [ruleId(u[UN.rule])])])
        ]));
      });
      body.appendChild(el("h3", null, ["Checks that cannot be evaluated"]));
      body.appendChild(el("table", { "class": "list undetermined" }, [
        el("caption", null, ["Checks for " + childId + " that cannot be evaluated: never findings"]),
        el("thead", null, [el("tr", null, ["When", "Severity", "Event", "Why", "Not recorded", "Rule"].map(function (h) { return el("th", { scope: "col" }, [h]); }))]),
        utbody
      ]));
    }

    var etbody = el("tbody");
    events.forEach(function (e) {
      etbody.appendChild(el("tr", null, [el("td", null, [fmt(e[EV.at])]), el("td", null, [e[EV.id]]), el("td", null, [S[e[EV.type]]])]));
    });
    body.appendChild(el("h3", null, ["Events"]));
    body.appendChild(el("table", { "class": "list events" }, [
      el("caption", null, ["Events of " + childId + " in time order"]),
      el("thead", null, [el("tr", null, ["When", "Event", "Type"].map(function (h) { return el("th", { scope: "col" }, [h]); }))]),
      etbody
    ]));
    heading.focus();
    section.scrollIntoView();
  }

  function route() {
    var hash = location.hash;
    if (hash.indexOf("#child=") === 0) { showChild(decodeURIComponent(hash.slice(7))); }
  }

  overdueView();
  childIndexView();
  window.addEventListener("hashchange", route);
  route();
}());
