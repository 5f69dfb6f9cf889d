// The questionnaire page of the help site: walks the interview tree of `advisor guide`
// (advisor/questionnaire/compact.py says how it is written) with no server, from
// file:// or any static host. The page without this script is a list of every route's
// page; with it, one question at a time, then the decision.
//
// The state is the answers given, in the address's fragment
// (#a=card_lost:no/codes_compromised:no), so the browser's back and forward buttons
// move one answer, and the address reopens the same step. Every text comes from the page: the words of its language (a JSON block) and
// the guidance's HTML (<template> elements), which the site build renders from the
// catalogs; nothing here is in any language.
(function () {
  "use strict";

  var mount = document.getElementById("questionnaire");
  var treeBlock = document.getElementById("questionnaire-tree");
  var wordsBlock = document.getElementById("questionnaire-words");
  if (!mount || !treeBlock || !wordsBlock) {
    return;
  }
  var tree = JSON.parse(treeBlock.textContent);
  var words = JSON.parse(wordsBlock.textContent);
  var ui = words.ui;
  var fallback = document.getElementById("questionnaire-fallback");
  if (fallback) {
    fallback.hidden = true;
  }

  // --- the tree ---------------------------------------------------------------------

  function unzigzag(n) {
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  // Every node's question and its links: a node is ["field", {answer: ref}], where a
  // ref of 0 or more is a node and a negative one the decision -ref - 1.
  var nodes = [];
  (function decode() {
    var flat = tree.nodes;
    var at = 0;
    var last = -1;
    while (at < flat.length) {
      var here = nodes.length;
      var question = tree.questions[flat[at]];
      var next = {};
      for (var i = 0; i < question[2].length; i++) {
        var link = flat[at + 1 + i];
        if (link % 2 === 0) {
          next[question[2][i]] = here + 1 + unzigzag(link / 2);
        } else {
          last = last + 1 + unzigzag((link - 1) / 2);
          next[question[2][i]] = -last - 1;
        }
      }
      nodes.push({ field: question[0], kind: question[1], answers: question[2], next: next });
      at += 1 + question[2].length;
    }
  })();

  function decision(ref) {
    var row = tree.decisions[-ref - 1];
    function names(table, index) {
      return tree.lists[index].map(function (i) {
        return tree[table][i];
      });
    }
    return {
      status: tree.statuses[row[0]],
      route: row[1] >= 0 ? tree.routes[row[1]] : null,
      urgency: row[2] >= 0 ? tree.urgencies[row[2]] : null,
      also: names("routes", row[3]),
      advisories: names("advisories", row[4]),
      candidates: names("routes", row[5]),
      questions: names("facts", row[6]),
      fired: names("rules", row[7]),
    };
  }

  // The answers are kept by question, as the interview keeps them: an answer whose
  // question is no longer asked after an earlier answer changed stays, unused, so that
  // changing that answer back restores the rest. The path walks the tree while the
  // question at hand has an answer: [{ref, answer, branch}], and where it ends. An
  // answer is a name of the tree's, or a date as typed (ISO), which goes down the
  // branch of its span, counted from today: an address kept for later is judged on the
  // day it is opened. An answer the question does not take (an address written by
  // hand) ends the walk there.
  function walk(answers) {
    var ref = tree.root;
    var path = [];
    while (ref >= 0) {
      var node = nodes[ref];
      var answer = answers.get(node.field);
      if (answer === undefined) {
        break;
      }
      var typed = isoDay(answer) !== null;
      var branch = typed ? dateAnswer(node, answer) : answer;
      if (branch === null || !Object.prototype.hasOwnProperty.call(node.next, branch)) {
        break;
      }
      if (tree.spans[branch] && !typed) {
        break; // a span is reached through a date, never by its name
      }
      path.push({ ref: ref, answer: answer, branch: branch });
      ref = node.next[branch];
    }
    return { path: path, at: ref };
  }

  // --- dates --------------------------------------------------------------------------

  function isoDay(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    if (!m) {
      return null;
    }
    var day = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    if (day.getUTCMonth() !== +m[2] - 1) {
      return null;
    }
    return day;
  }

  function today() {
    var now = new Date();
    return new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()));
  }

  function within(value, span) {
    return (span[0] === null || value >= span[0]) && (span[1] === null || value <= span[1]);
  }

  // The answer a typed date stands for: the span of dates of issue, or of days left
  // until expiry (counted from today, as the terminal counts them), that holds it.
  function dateAnswer(node, text) {
    var day = isoDay(text);
    if (!day) {
      return null;
    }
    var prefix = node.kind === "chip" ? "issued:" : "days_left:";
    var value =
      node.kind === "chip" ? text : Math.round((day.getTime() - today().getTime()) / 86400000);
    for (var i = 0; i < node.answers.length; i++) {
      var name = node.answers[i];
      if (name.indexOf(prefix) === 0 && within(value, tree.spans[name])) {
        return name;
      }
    }
    return null;
  }

  // --- the address --------------------------------------------------------------------

  // #a=card_lost:no/codes_compromised:no/card_generation:2020-05-05: the answers by
  // question, in the order given.
  function answersInAddress() {
    var answers = new Map();
    var m = /^#a=(.*)$/.exec(location.hash);
    if (m && m[1]) {
      m[1].split("/").forEach(function (item) {
        var pair = decodeURIComponent(item).split(":");
        if (pair.length >= 2) {
          answers.set(pair[0], pair.slice(1).join(":"));
        }
      });
    }
    return answers;
  }

  function address(answers) {
    var items = [];
    answers.forEach(function (value, field) {
      items.push(encodeURIComponent(field + ":" + value));
    });
    return "#a=" + items.join("/");
  }

  function go(answers) {
    var hash = address(answers);
    if (location.hash === hash) {
      render();
    } else {
      location.hash = hash;
    }
  }

  function withAnswer(answers, field, value) {
    var next = new Map(answers);
    next.delete(field); // an answer given again moves to the end
    next.set(field, value);
    return next;
  }

  function without(answers, field) {
    var next = new Map(answers);
    next.delete(field);
    return next;
  }

  // --- building the page ----------------------------------------------------------------

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // The page's words hold {name} where a value goes.
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) {
      return String(values[name]);
    });
  }

  function capital(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function copyOf(id) {
    var template = document.getElementById(id);
    return template ? document.importNode(template.content, true) : document.createTextNode("");
  }

  function link(href, text) {
    return el("a", { href: href }, [text]);
  }

  function answerLabel(node, answer) {
    if (answer === "unknown") {
      return ui.dont_know;
    }
    var labels = words.labels[node.field] || {};
    if (labels[answer] !== undefined) {
      return labels[answer];
    }
    var day = isoDay(answer);
    if (day) {
      // English as the terminal writes it (5 May 2020), not the American order.
      var lang = document.documentElement.lang;
      return day.toLocaleDateString(lang === "en" ? "en-GB" : lang, {
        timeZone: "UTC",
        day: "numeric",
        month: "short",
        year: "numeric",
      });
    }
    return answer;
  }

  function answered(path, answers) {
    if (!path.length) {
      return null;
    }
    var list = el("ol", { class: "q-answered" });
    path.forEach(function (step) {
      var node = nodes[step.ref];
      var change = link(address(without(answers, node.field)), ui.change);
      change.setAttribute("data-change", node.field);
      list.appendChild(
        el("li", {}, [
          words.questions[node.field].text + " ",
          el("strong", {}, [answerLabel(node, step.answer)]),
          " ",
          change,
        ])
      );
    });
    return el("section", { class: "q-history", "aria-labelledby": "q-history-heading" }, [
      el("h2", { id: "q-history-heading" }, [ui.answers]),
      list,
    ]);
  }

  function navigation(path, answers) {
    var back = el("button", { type: "button", class: "secondary", "data-back": "" }, [ui.back]);
    back.disabled = path.length === 0;
    back.addEventListener("click", function () {
      go(without(answers, nodes[path[path.length - 1].ref].field));
    });
    var restart = el("button", { type: "button", class: "secondary", "data-restart": "" }, [
      ui.restart,
    ]);
    restart.addEventListener("click", function () {
      go(new Map());
    });
    return el("div", { class: "actions q-nav" }, [back, restart]);
  }

  function questionStep(node, answers, number) {
    var heading = el("h2", { id: "q-heading", tabindex: "-1" }, [words.questions[node.field].text]);
    var choices = el("div", { class: "q-choices" });
    var dated = false;
    node.answers.forEach(function (answer) {
      if (answer === "unknown") {
        return;
      }
      if (tree.spans[answer]) {
        dated = true;
        return;
      }
      var button = el("button", { type: "button", "data-answer": answer }, [
        capital(answerLabel(node, answer)),
      ]);
      button.addEventListener("click", function () {
        go(withAnswer(answers, node.field, answer));
      });
      choices.appendChild(button);
    });
    var step = el("div", { class: "q-step", "data-question": node.field }, [
      el("p", { class: "q-number" }, [fill(ui.question, { number: number })]),
      heading,
    ]);
    if (choices.childNodes.length) {
      step.appendChild(choices);
    }
    if (dated) {
      var input = el("input", { type: "date", id: "q-date", name: "date", required: "" });
      var error = el("p", { class: "field-error", id: "q-date-error", role: "alert" });
      var form = el("form", { class: "q-date", novalidate: "" }, [
        el("label", { for: "q-date" }, [node.kind === "chip" ? ui.issue_date : ui.expiry_date]),
        el("div", { class: "actions" }, [
          input,
          el("button", { type: "submit", "data-answer-date": "" }, [ui.next]),
        ]),
        error,
      ]);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (dateAnswer(node, input.value) === null) {
          error.textContent = ui.date_error;
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", "q-date-error");
          input.focus();
          return;
        }
        go(withAnswer(answers, node.field, input.value));
      });
      step.appendChild(form);
    }
    var dontKnow = el("button", { type: "button", class: "secondary", "data-answer": "unknown" }, [
      capital(ui.dont_know),
    ]);
    dontKnow.addEventListener("click", function () {
      go(withAnswer(answers, node.field, "unknown"));
    });
    step.appendChild(el("div", { class: "actions" }, [dontKnow]));
    var howto = el("details", { class: "q-howto" }, [el("summary", {}, [ui.howto])]);
    howto.appendChild(copyOf("qt-howto-" + node.field));
    step.appendChild(howto);
    return step;
  }

  function listOf(items, make) {
    var list = el("ul", {});
    items.forEach(function (item) {
      list.appendChild(el("li", {}, [make(item)]));
    });
    return list;
  }

  function resultStep(found) {
    var result = el("div", {
      class: "q-result decision",
      "data-status": found.status,
      "data-route": found.route || "",
      "data-urgency": found.urgency || "",
      "data-advisories": found.advisories.join(" "),
    });
    if (found.route) {
      var guidance = el("article", { class: "guidance" });
      guidance.appendChild(copyOf("qt-route-" + found.route));
      result.appendChild(guidance);
      var heading = guidance.querySelector("h2");
      if (heading) {
        heading.id = "q-heading";
        heading.setAttribute("tabindex", "-1");
        // The urgency under the title, in bold, as the guidance puts it for a case.
        if (found.urgency && ui.urgency[found.urgency]) {
          heading.insertAdjacentElement(
            "afterend",
            el("p", { class: "q-urgency" }, [el("strong", {}, [ui.urgency[found.urgency]])])
          );
        }
      }
      result.appendChild(
        el("p", {}, [link(words.routes[found.route].href, ui.own_page)])
      );
      if (found.also.length) {
        result.appendChild(el("h2", {}, [ui.also]));
        result.appendChild(
          listOf(found.also, function (route) {
            return link(words.routes[route].href, words.routes[route].title);
          })
        );
      }
    } else {
      result.appendChild(el("h2", { id: "q-heading", tabindex: "-1" }, [ui.more_needed]));
      result.appendChild(el("p", {}, [ui.candidates]));
      result.appendChild(
        listOf(found.candidates, function (route) {
          return link(words.routes[route].href, words.routes[route].title);
        })
      );
      if (found.questions.length) {
        result.appendChild(el("h2", {}, [ui.questions]));
        result.appendChild(
          listOf(found.questions, function (field) {
            return link(words.questions[field].href, words.questions[field].text);
          })
        );
      }
    }
    if (found.advisories.length) {
      result.appendChild(el("h2", {}, [ui.advisories]));
      var advice = el("ul", { class: "q-advisories" });
      found.advisories.forEach(function (advisory) {
        var item = el("li", { "data-advisory": advisory }, [
          el("strong", {}, [link(words.advisories[advisory].href, words.advisories[advisory].title)]),
        ]);
        item.appendChild(copyOf("qt-advisory-" + advisory));
        advice.appendChild(item);
      });
      result.appendChild(advice);
    }
    if (found.fired.length) {
      result.appendChild(el("h2", {}, [ui.why]));
      result.appendChild(
        listOf(found.fired, function (rule) {
          return words.reasons[rule] || rule;
        })
      );
    }
    return result;
  }

  var rendered = false;

  function render() {
    var answers = answersInAddress();
    var where = walk(answers);
    mount.textContent = "";
    mount.appendChild(
      where.at >= 0
        ? questionStep(nodes[where.at], answers, where.path.length + 1)
        : resultStep(decision(where.at))
    );
    mount.appendChild(navigation(where.path, answers));
    var history = answered(where.path, answers);
    if (history) {
      mount.appendChild(history);
    }
    // The page's first view keeps the reader at its top; after an answer, the next
    // step's heading takes the focus, so a screen reader reads it out.
    if (rendered) {
      var heading = document.getElementById("q-heading");
      if (heading) {
        heading.focus();
      }
    }
    rendered = true;
  }

  window.addEventListener("hashchange", render);
  render();
})();
