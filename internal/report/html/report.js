// secadvisor HTML report: filters and sortable tables. Without a script
// the page shows every finding; printing shows every finding whatever the
// filters (the print style ignores them).
(function () {
  "use strict";

  var form = document.getElementById("filters");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.check"));
  var shown = document.getElementById("shown");

  function selected(name) {
    var input = form.elements.namedItem(name);
    return input ? input.value : "";
  }

  // applyFilters hides the findings that do not match and the checks left
  // with none; it says how many findings remain.
  function applyFilters() {
    var statuses = {};
    Array.prototype.forEach.call(form.querySelectorAll("input[name=status]"), function (box) {
      statuses[box.value] = box.checked;
    });
    var account = selected("account");
    var checkID = selected("check");
    var count = 0;
    rows.forEach(function (row) {
      var visible = statuses[row.dataset.status] === true &&
        (account === "" || row.dataset.account === account) &&
        (checkID === "" || row.dataset.check === checkID);
      row.classList.toggle("filtered-out", !visible);
      if (visible) {
        count++;
      }
    });
    sections.forEach(function (section) {
      section.classList.toggle("filtered-out", section.querySelector("tr.finding:not(.filtered-out)") === null);
    });
    shown.textContent = String(count);
  }

  function showOnly(status) {
    Array.prototype.forEach.call(form.querySelectorAll("input[name=status]"), function (box) {
      box.checked = box.value === status;
    });
    applyFilters();
    form.scrollIntoView({ block: "start" });
  }

  function showAll() {
    form.reset();
    applyFilters();
  }

  // sortKey is what a cell sorts by: its data-sort when it has one (the
  // status sorts by urgency), else its text.
  function sortKey(row, column) {
    var cell = row.cells[column];
    if (!cell) {
      return "";
    }
    return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
  }

  var number = /^-?\d+(\.\d+)?$/;

  // compare orders numbers by value and text by its lower-case code units,
  // so that the order is the same in every browser and locale.
  function compare(a, b) {
    if (number.test(a) && number.test(b)) {
      return Number(a) - Number(b);
    }
    a = a.toLowerCase();
    b = b.toLowerCase();
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function sortBy(th) {
    var table = th.closest("table");
    var column = Array.prototype.indexOf.call(th.parentNode.children, th);
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.children, function (other) {
      other.setAttribute("aria-sort", "none");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    Array.prototype.forEach.call(table.tBodies, function (body) {
      var sorted = Array.prototype.slice.call(body.rows).sort(function (x, y) {
        var order = compare(sortKey(x, column), sortKey(y, column));
        return ascending ? order : -order;
      });
      sorted.forEach(function (row) {
        body.appendChild(row);
      });
    });
  }

  form.hidden = false;
  form.addEventListener("change", applyFilters);
  document.getElementById("show-all").addEventListener("click", showAll);
  Array.prototype.forEach.call(document.querySelectorAll("[data-filter-status]"), function (card) {
    card.addEventListener("click", function () {
      showOnly(card.dataset.filterStatus);
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable th button.sort"), function (button) {
    button.addEventListener("click", function () {
      sortBy(button.closest("th"));
    });
  });
  applyFilters();
})();
