// threadlens report: the reply trees (drawn lazily: a comment's replies are rendered when it
// is first expanded), keyboard navigation (WAI-ARIA tree pattern) and the sortable overview.
(function () {
  'use strict';
  var CHUNK = 200; // replies rendered at a time under one comment
  var BUDGET = 600; // comments rendered open when the page loads
  var trees = [];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function incClass(p) {
    return p < 0.2 ? 0 : p < 0.4 ? 1 : p < 0.6 ? 2 : p < 0.8 ? 3 : 4;
  }

  function Tree(script) {
    var data = JSON.parse(script.textContent);
    this.nodes = data.nodes;
    this.open = data.open;
    // Levels nested in one view: a browser's layout gives up on far deeper DOM (a 5,000-deep
    // chain crashed Chromium's tab), so a deeper thread continues in a view of its own.
    this.nest = data.nest;
    this.root = document.getElementById(script.getAttribute('data-tree'));
    var n = this.nodes.length;
    this.kids = new Array(n);
    this.roots = [];
    for (var i = 0; i < n; i++) {
      var p = this.nodes[i].p;
      if (p < 0) this.roots.push(i);
      else (this.kids[p] || (this.kids[p] = [])).push(i);
    }
    var self = this;
    // The bar above a view of one deep thread, with the way back.
    this.bar = el('div', 'view-bar');
    this.bar.hidden = true;
    this.barText = el('span');
    var back = el('button', null, 'Back to the whole discussion');
    back.type = 'button';
    back.addEventListener('click', function () {
      var from = self.viewRoot;
      self.show(-1);
      // Back at the thread's deepest drawn comment above it.
      for (var a = self.nodes[from].p; a >= 0; a = self.nodes[a].p) {
        if (self.items[a]) { self.focus(self.items[a]); break; }
      }
    });
    this.bar.appendChild(this.barText);
    this.bar.appendChild(document.createTextNode(' '));
    this.bar.appendChild(back);
    this.root.parentNode.insertBefore(this.bar, this.root);
    this.show(-1);
    this.root.addEventListener('keydown', function (ev) { self.onKey(ev); });
    this.root.addEventListener('click', function (ev) { self.onClick(ev); });
    this.root.addEventListener('focusin', function (ev) {
      var li = ev.target.closest && ev.target.closest('li.item');
      if (li) self.setCurrent(li);
    });
  }

  // Draw the whole discussion (-1), or the thread under comment `i` on its own.
  Tree.prototype.show = function (i) {
    this.root.textContent = '';
    this.root.tlRendered = 0;
    this.root.tlMore = null;
    this.items = new Array(this.nodes.length); // li of each drawn comment
    this.current = null;
    this.budget = BUDGET;
    this.viewRoot = i;
    this.base = i < 0 ? 0 : this.nodes[i].d - 1;
    this.viewRoots = i < 0 ? this.roots : [i];
    if (i >= 0) {
      var path = [];
      for (var a = i; a >= 0; a = this.nodes[a].p) path.unshift(this.nodes[a].id);
      this.barText.textContent = 'Showing the thread under comment ' + this.nodes[i].id +
        ' (level ' + this.nodes[i].d + '; path ' + (path.length > 6
          ? path.slice(0, 3).join(' › ') + ' › … › ' + path.slice(-2).join(' › ')
          : path.join(' › ')) + ').';
    }
    this.bar.hidden = i < 0;
    this.renderList(this.root, this.viewRoots, 0, false);
    var first = firstItem(this.root);
    if (first) {
      first.tabIndex = 0;
      if (i >= 0) this.focus(first);
    }
  };

  // Render indices[start..] into ul, CHUNK at a time (all with `all`).
  Tree.prototype.renderList = function (ul, indices, start, all) {
    var end = all ? indices.length : Math.min(indices.length, start + CHUNK);
    var frag = document.createDocumentFragment();
    for (var k = start; k < end; k++) frag.appendChild(this.renderItem(indices[k], k, indices.length, all));
    // Direct references, not `:scope >` queries: those search the whole subtree, which made
    // expanding 10,000 comments quadratic.
    if (ul.tlMore) ul.tlMore.remove();
    ul.tlMore = null;
    ul.appendChild(frag);
    ul.tlRendered = end;
    if (end < indices.length) {
      var li = el('li', 'more');
      li.setAttribute('role', 'none');
      var b = el('button', null, 'Show ' + Math.min(CHUNK, indices.length - end) + ' more of ' +
        (indices.length - end) + ' remaining replies');
      b.type = 'button';
      var self = this;
      b.addEventListener('click', function () {
        var prev = li.previousElementSibling;
        self.renderList(ul, indices, end, false);
        var next = prev && prev.nextElementSibling;
        if (next && next.matches('li.item')) next.focus();
      });
      li.appendChild(b);
      ul.appendChild(li);
      ul.tlMore = li;
    }
  };

  Tree.prototype.renderItem = function (i, pos, size, all) {
    var c = this.nodes[i];
    var kids = this.kids[i];
    var li = el('li', 'item');
    li.setAttribute('role', 'treeitem');
    li.setAttribute('aria-level', c.d);
    li.setAttribute('aria-posinset', pos + 1);
    li.setAttribute('aria-setsize', size);
    li.setAttribute('data-i', i);
    li.tabIndex = -1;
    this.items[i] = li;
    if (c.u !== undefined) li.classList.add('i' + incClass(c.u));
    if (!kids) li.classList.add('leaf');

    var row = el('div', 'row');
    var meta = el('div', 'meta');
    var tog = el('span', 'toggle', kids ? '▸' : '·');
    tog.setAttribute('aria-hidden', 'true');
    li.tlToggle = tog;
    meta.appendChild(tog);
    meta.appendChild(el('span', 'cid', c.id));
    if (c.a) meta.appendChild(el('span', 'author', c.a));
    if (c.t) meta.appendChild(el('time', null, c.t));
    if (kids) meta.appendChild(el('span', 'nkids', kids.length + (kids.length === 1 ? ' reply' : ' replies')));
    row.appendChild(meta);

    var badges = el('div', 'badges');
    if (c.u !== undefined) {
      var b = el('span', 'inc inc' + incClass(c.u), (c.v ? '⚠ uncivil ' : 'civil ') + c.u.toFixed(2));
      b.title = 'incivility probability ' + c.u.toFixed(2) + (c.v ? ', at or above the threshold' : ', below the threshold');
      badges.appendChild(b);
    }
    if (c.s) {
      var target = c.d <= 1 ? 'the article' : 'parent';
      var verb = c.s[0] === 'disagree' ? '✗ disagrees with ' : c.s[0] === 'agree' ? '✓ agrees with ' : '○ neutral to ';
      badges.appendChild(el('span', 'st st-' + c.s[0], verb + target + ' ' + c.s[1].toFixed(2)));
    }
    if (c.sd) {
      badges.appendChild(el('span', 'sd sd-' + c.sd[0],
        'side ' + c.sd[0].replace('_', ' ') + (c.sd[1] !== null && c.sd[1] !== undefined ? ' ' + c.sd[1].toFixed(2) : '')));
    }
    if (c.f) badges.appendChild(el('span', 'forms', c.f.join(', ').replace(/_/g, ' ')));
    if (c.fl) c.fl.forEach(function (f) { badges.appendChild(el('span', 'flag', f.replace('_', ' '))); });
    if (c.k) badges.appendChild(el('span', 'flag', c.k));
    if (badges.childNodes.length) row.appendChild(badges);

    var text = el('div', 'text');
    text.innerHTML = c.h; // escaped by threadlens; cues in <mark>
    row.appendChild(text);
    if (c.c) {
      var more = c.m ? ' and ' + c.m + ' more' : '';
      row.appendChild(el('div', 'cues', 'cues: ' + c.c.join(', ') + more));
    }
    li.appendChild(row);
    if (kids) {
      li.setAttribute('aria-expanded', 'false');
      if (c.d - this.base >= this.nest) {
        // Deeper replies continue in a view of their own.
        var cont = el('button', 'continue', 'Continue this thread: ' + kids.length +
          (kids.length === 1 ? ' reply' : ' replies') + ' at level ' + (c.d + 1) + ' →');
        cont.type = 'button';
        var self = this;
        cont.addEventListener('click', function () { self.show(i); });
        row.appendChild(cont);
        li.tlContinue = true;
      }
      // Levels above `open` start open, within the budget; `expandAll` opens the rest one by
      // one (not by recursion: a chain can be 100,000 replies deep).
      else if (!all && c.d - this.base < this.open && this.budget > 0) this.expand(li, false);
    }
    return li;
  };

  Tree.prototype.group = function (li) {
    return li.tlGroup || null;
  };

  Tree.prototype.expand = function (li, all) {
    var i = +li.getAttribute('data-i');
    var kids = this.kids[i];
    if (!kids) return;
    if (li.tlContinue) {
      if (!all) this.show(i);
      return;
    }
    var ul = this.group(li);
    if (!ul) {
      ul = el('ul');
      ul.setAttribute('role', 'group');
      // Past 24 levels replies are not indented further (their level is still announced).
      // Deep levels are indented less, so that a thread fits the page.
      if (+li.getAttribute('aria-level') - this.base >= 8) ul.className = 'flat';
      li.appendChild(ul);
      li.tlGroup = ul;
      this.budget -= Math.min(kids.length, CHUNK);
      this.renderList(ul, kids, 0, all);
    } else if (all) {
      if (ul.tlRendered < kids.length) this.renderList(ul, kids, ul.tlRendered, true);
    }
    ul.hidden = false;
    li.setAttribute('aria-expanded', 'true');
    li.tlToggle.textContent = '▾';
  };

  Tree.prototype.collapse = function (li) {
    var ul = this.group(li);
    if (ul) ul.hidden = true;
    if (this.current && ul && ul.contains(this.current)) this.setCurrent(li);
    if (li.hasAttribute('aria-expanded')) {
      li.setAttribute('aria-expanded', 'false');
      li.tlToggle.textContent = '▸';
    }
  };

  Tree.prototype.toggle = function (li) {
    if (li.getAttribute('aria-expanded') === 'true') this.collapse(li);
    else this.expand(li, false);
  };

  Tree.prototype.expandAll = function () {
    var self = this;
    // Roots first (all chunks), then every comment with replies, in pre-order.
    var rendered = this.root.tlRendered;
    if (rendered < this.viewRoots.length) this.renderList(this.root, this.viewRoots, rendered, true);
    for (var i = 0; i < this.nodes.length; i++) {
      if (this.kids[i] && this.items[i]) self.expand(this.items[i], true);
    }
  };

  Tree.prototype.collapseAll = function () {
    var lis = this.root.querySelectorAll('li.item[aria-expanded="true"]');
    for (var k = 0; k < lis.length; k++) this.collapse(lis[k]);
  };

  Tree.prototype.setCurrent = function (li) {
    // Roving tabindex: Tab enters the tree at the comment last focused.
    var prev = this.current || this.root.querySelector('li.item[tabindex="0"]');
    if (prev && prev !== li) prev.tabIndex = -1;
    li.tabIndex = 0;
    this.current = li;
  };

  Tree.prototype.focus = function (li) {
    if (!li) return;
    this.setCurrent(li);
    li.focus();
  };

  function firstItem(ul) {
    var s = ul ? ul.firstElementChild : null;
    while (s && !s.matches('li.item')) s = s.nextElementSibling;
    return s;
  }
  function lastItem(ul) {
    var s = ul ? ul.lastElementChild : null;
    while (s && !s.matches('li.item')) s = s.previousElementSibling;
    return s;
  }
  function nextItem(li) {
    var s = li.nextElementSibling;
    while (s && !s.matches('li.item')) s = s.nextElementSibling;
    return s;
  }
  function prevItem(li) {
    var s = li.previousElementSibling;
    while (s && !s.matches('li.item')) s = s.previousElementSibling;
    return s;
  }
  Tree.prototype.parentItem = function (li) {
    var ul = li.parentElement;
    return ul === this.root ? null : ul.parentElement;
  };
  Tree.prototype.isOpen = function (li) {
    return li.getAttribute('aria-expanded') === 'true';
  };
  Tree.prototype.nextVisible = function (li) {
    if (this.isOpen(li)) {
      var f = firstItem(this.group(li));
      if (f) return f;
    }
    for (var cur = li; cur; cur = this.parentItem(cur)) {
      var n = nextItem(cur);
      if (n) return n;
    }
    return null;
  };
  Tree.prototype.lastVisibleIn = function (li) {
    while (this.isOpen(li)) {
      var last = lastItem(this.group(li));
      if (!last) break;
      li = last;
    }
    return li;
  };
  Tree.prototype.prevVisible = function (li) {
    var p = prevItem(li);
    if (p) return this.lastVisibleIn(p);
    return this.parentItem(li);
  };

  Tree.prototype.onKey = function (ev) {
    var li = ev.target.closest('li.item');
    if (!li || ev.target !== li || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    var handled = true;
    switch (ev.key) {
      case 'ArrowDown': this.focus(this.nextVisible(li)); break;
      case 'ArrowUp': this.focus(this.prevVisible(li)); break;
      case 'ArrowRight':
        if (li.hasAttribute('aria-expanded')) {
          if (this.isOpen(li)) this.focus(firstItem(this.group(li)));
          else this.expand(li, false);
        }
        break;
      case 'ArrowLeft':
        if (this.isOpen(li)) this.collapse(li);
        else this.focus(this.parentItem(li));
        break;
      case 'Home': this.focus(firstItem(this.root)); break;
      case 'End': {
        var last = lastItem(this.root);
        if (last) this.focus(this.lastVisibleIn(last));
        break;
      }
      case 'Enter': case ' ':
        this.toggle(li); break;
      default: handled = false;
    }
    if (handled) ev.preventDefault();
  };

  Tree.prototype.onClick = function (ev) {
    if (ev.target.closest('a, button, mark')) return;
    var li = ev.target.closest('li.item');
    if (!li) return;
    this.focus(li);
    // The toggle or the comment's meta line opens and closes; a click in the text selects.
    if (ev.target.closest('.meta')) this.toggle(li);
  };

  function sortable(table) {
    var ths = table.querySelectorAll('thead th');
    ths.forEach(function (th, col) {
      th.querySelector('button').addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        ths.forEach(function (o) { o.setAttribute('aria-sort', 'none'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var num = th.getAttribute('data-kind') === 'num';
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col];
          var d = num ? (+x.getAttribute('data-v')) - (+y.getAttribute('data-v'))
            : x.textContent.localeCompare(y.textContent);
          return asc ? d : -d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  document.querySelectorAll('script.tl-data').forEach(function (s) {
    var t = new Tree(s);
    trees.push(t);
    t.root.threadlensTree = t;
  });
  document.querySelectorAll('button[data-act]').forEach(function (b) {
    b.addEventListener('click', function () {
      var t = document.getElementById(b.getAttribute('data-tree')).threadlensTree;
      if (b.getAttribute('data-act') === 'expand') t.expandAll();
      else t.collapseAll();
    });
  });
  document.querySelectorAll('table.sortable').forEach(sortable);
  // Printing shows everything: every reply rendered and open, every table of figures.
  window.addEventListener('beforeprint', function () {
    trees.forEach(function (t) { t.expandAll(); });
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
  window.threadlens = { trees: trees };
})();
