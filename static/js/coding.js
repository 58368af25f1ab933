/* The coding page: a mouse selection in the transcript, or "Code this turn", fills in the
 * excerpt form's range as character offsets into the transcript's text.
 *
 * Every run of words in the transcript is an element whose data-start is the offset of its first
 * character, holding just that run's text, so a point in the selection is data-start plus the
 * offset within the run. The form filled is the excerpt form used last (an open edit), else the
 * new excerpt form. Everything else on the page is server-rendered (htmx). */
(function () {
  "use strict";

  var PREVIEW_LENGTH = 300;
  var lastForm = null;

  function transcript() {
    return document.querySelector("[data-coding-text]");
  }

  function runs() {
    var text = transcript();
    return text ? Array.prototype.slice.call(text.querySelectorAll("[data-start]")) : [];
  }

  function runStart(run) {
    return parseInt(run.getAttribute("data-start"), 10);
  }

  function formToFill() {
    if (lastForm && document.contains(lastForm)) {
      return lastForm;
    }
    return document.querySelector("#new-excerpt form[data-excerpt-form]");
  }

  function pointIn(run, node, offset) {
    if (node.nodeType === Node.TEXT_NODE) {
      return runStart(run) + offset;
    }
    // The point sits between the run's child nodes: before or after its one text node.
    return runStart(run) + (offset > 0 ? run.textContent.length : 0);
  }

  function offsetsOf(range) {
    var touched = runs().filter(function (run) {
      return range.intersectsNode(run);
    });
    if (!touched.length) {
      return null;
    }
    var first = touched[0];
    var last = touched[touched.length - 1];
    var start = first.contains(range.startContainer)
      ? pointIn(first, range.startContainer, range.startOffset)
      : runStart(first);
    var end = last.contains(range.endContainer)
      ? pointIn(last, range.endContainer, range.endOffset)
      : runStart(last) + last.textContent.length;
    return end > start ? { start: start, end: end } : null;
  }

  function passage(start, end) {
    var parts = [];
    var lastTurn = null;
    runs().forEach(function (run) {
      var from = runStart(run);
      var text = run.textContent;
      if (from + text.length <= start || from >= end) {
        return;
      }
      var turn = run.closest(".turn");
      if (lastTurn && turn !== lastTurn) {
        parts.push(" … ");
      }
      lastTurn = turn;
      parts.push(text.slice(Math.max(start - from, 0), Math.min(end - from, text.length)));
    });
    var words = parts.join("").trim();
    return words.length > PREVIEW_LENGTH ? words.slice(0, PREVIEW_LENGTH) + "…" : words;
  }

  function field(form, role) {
    return form.querySelector('[data-coding="' + role + '"]');
  }

  function showPassage(form) {
    var preview = field(form, "preview");
    var start = parseInt(field(form, "start").value, 10);
    var end = parseInt(field(form, "end").value, 10);
    if (!preview) {
      return;
    }
    var words = isNaN(start) || isNaN(end) || end <= start ? "" : passage(start, end);
    preview.textContent = words ? "“" + words + "”" : "";
  }

  function fill(form, start, end) {
    field(form, "start").value = start;
    field(form, "end").value = end;
    showPassage(form);
  }

  function selectionToForm(event) {
    var text = transcript();
    if (!text || !text.contains(event.target)) {
      return;
    }
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) {
      return;
    }
    var offsets = offsetsOf(selection.getRangeAt(0));
    var form = formToFill();
    if (offsets && form) {
      fill(form, offsets.start, offsets.end);
    }
  }

  document.addEventListener("mouseup", selectionToForm);
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey) {
      selectionToForm(event);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-code-turn]");
    var form = button && formToFill();
    if (!form) {
      return;
    }
    event.preventDefault();
    var range = button.getAttribute("data-code-turn").split(" ");
    fill(form, range[0], range[1]);
    field(form, "start").focus();
  });

  document.addEventListener("focusin", function (event) {
    var form = event.target.closest && event.target.closest("form[data-excerpt-form]");
    if (form) {
      lastForm = form;
    }
  });

  document.addEventListener("input", function (event) {
    var role = event.target.getAttribute && event.target.getAttribute("data-coding");
    if ((role === "start" || role === "end") && event.target.form) {
      showPassage(event.target.form);
    }
  });

  /* Selecting words from the keyboard: the transcript takes the focus; the arrow keys move from
   * word to word (up and down from turn to turn, Home and End to the ends of the turn), with Shift
   * they stretch the selection from where it started, and Enter fills the form with it. The words
   * are selected in the page as a mouse would, and the live region says each one. */
  var current = null;

  function words() {
    var found = [];
    runs().forEach(function (run) {
      var from = runStart(run);
      var pattern = /\S+/g;
      var match;
      while ((match = pattern.exec(run.textContent)) !== null) {
        found.push({
          start: from + match.index,
          end: from + match.index + match[0].length,
          turn: run.closest(".turn")
        });
      }
    });
    return found;
  }

  function pointAt(offset, atEnd) {
    var found = null;
    runs().some(function (run) {
      var from = runStart(run);
      var length = run.textContent.length;
      if (offset > from + length || offset < from || (!atEnd && offset === from + length)) {
        return false;
      }
      found = { node: run.firstChild, offset: offset - from };
      return true;
    });
    return found;
  }

  function showSelection(start, end) {
    var first = pointAt(start, false);
    var last = pointAt(end, true);
    if (first && last) {
      window.getSelection().setBaseAndExtent(first.node, first.offset, last.node, last.offset);
    }
  }

  function turnEdge(all, index, step) {
    var turn = all[index].turn;
    var at = index;
    while (all[at + step] && all[at + step].turn === turn) { at += step; }
    return at;
  }

  function target(all, index, key) {
    if (key === "ArrowRight") { return index + 1; }
    if (key === "ArrowLeft") { return index - 1; }
    if (key === "Home") { return turnEdge(all, index, -1); }
    if (key === "End") { return turnEdge(all, index, 1); }
    if (key === "ArrowDown") { return turnEdge(all, index, 1) + 1; }
    // ArrowUp: the first word of this turn, or of the turn before when already there.
    var first = turnEdge(all, index, -1);
    return first < index ? first : turnEdge(all, Math.max(index - 1, 0), -1);
  }

  function selectedRange(all) {
    var from = Math.min(current.anchor, current.focus);
    var to = Math.max(current.anchor, current.focus);
    return { start: all[from].start, end: all[to].end };
  }

  function announce(words) {
    var announcer = document.getElementById("coding-announcer");
    if (announcer) { announcer.textContent = words; }
  }

  var MOVES = ["ArrowRight", "ArrowLeft", "ArrowUp", "ArrowDown", "Home", "End"];

  function keyboardSelection(event) {
    var text = transcript();
    var form = formToFill();
    if (!text || event.target !== text || !form || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var all = words();
    if (!all.length) { return; }
    // The transcript may have been swapped for a shorter one since the last key.
    if (current && (current.anchor >= all.length || current.focus >= all.length)) {
      current = null;
    }
    if (event.key === "Enter" && current) {
      event.preventDefault();
      var range = selectedRange(all);
      fill(form, range.start, range.end);
      field(form, "start").focus();
      return;
    }
    if (MOVES.indexOf(event.key) < 0) { return; }
    event.preventDefault();
    if (!current) {
      current = { anchor: 0, focus: 0 };
    } else {
      var next = Math.min(Math.max(target(all, current.focus, event.key), 0), all.length - 1);
      current = { anchor: event.shiftKey ? current.anchor : next, focus: next };
    }
    var chosen = selectedRange(all);
    showSelection(chosen.start, chosen.end);
    if (event.shiftKey) {
      fill(form, chosen.start, chosen.end);
    }
    announce(passage(chosen.start, chosen.end));
  }

  document.addEventListener("keydown", keyboardSelection);

  function showAllPassages() {
    document.querySelectorAll("form[data-excerpt-form]").forEach(showPassage);
  }

  // A save swaps the whole workspace, taking the focused button with it: keyboard users go on
  // from the new excerpt form (or the refusal), and the page's own live region, which outlives
  // the swap, says what happened.
  function afterWorkspaceSwap(event) {
    if (!event.detail || !event.detail.target || event.detail.target.id !== "coding-workspace") {
      return;
    }
    var workspace = document.getElementById("coding-workspace");
    var announcer = document.getElementById("coding-announcer");
    var message = workspace && workspace.querySelector(".coding__notices [role=alert], .message");
    if (announcer) {
      announcer.textContent = message ? message.textContent.trim() : "";
    }
    if (document.activeElement && document.activeElement !== document.body) {
      return;
    }
    var next = workspace && (workspace.querySelector(".coding__notices [role=alert]") ||
      document.getElementById("new-excerpt"));
    if (next) {
      if (!next.hasAttribute("tabindex")) {
        next.setAttribute("tabindex", "-1");
      }
      next.focus();
    }
  }

  showAllPassages();
  document.addEventListener("htmx:afterSettle", showAllPassages);
  document.addEventListener("htmx:afterSettle", afterWorkspaceSwap);
})();
