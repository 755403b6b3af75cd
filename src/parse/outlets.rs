//! How articles from known outlets look in a plain-text capture: one table.
//!
//! Each [`OutletRule`] says how to recognise the outlet, where its
//! publication date is, whether the capture starts with a headline, and
//! which lines are boilerplate rather than article. [`GENERIC`] holds the
//! boilerplate that any capture may carry. To support a new outlet, add a
//! row to [`OUTLETS`]; no other code changes (issue #2).
//!
//! Patterns are regexes matched against one trimmed line, except
//! [`OutletRule::markers`] and [`OutletRule::date`], which are matched
//! against the whole article text (multi-line mode).

/// Where a capture's headline is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TitleRule {
    /// The first non-empty line is the headline.
    FirstLine,
    /// The capture carries no headline (the text starts with the body).
    None,
}

/// Boilerplate: lines that are not article text.
#[derive(Debug)]
pub struct Boilerplate {
    /// A line matching one of these is removed.
    pub drop_lines: &'static [&'static str],
    /// From a line matching one of these to the end, nothing is article.
    pub cut_from: &'static [&'static str],
    /// `(start, end)`: from a start line through the next end line, when no
    /// other start line comes between them, the block is removed (e.g. a
    /// support appeal that runs over several paragraphs).
    pub blocks: &'static [(&'static str, &'static str)],
}

/// How one outlet's captures look.
#[derive(Debug)]
pub struct OutletRule {
    /// The outlet's name as reported.
    pub name: &'static str,
    /// The outlet is recognised when any of these matches the text.
    pub markers: &'static [&'static str],
    /// Where the headline is.
    pub title: TitleRule,
    /// Publication date, with named groups `y`, `m`, `d` and optionally
    /// `H`, `M` (local time). The matched text is removed from the body.
    pub date: Option<&'static str>,
    /// Outlet-specific boilerplate, on top of [`GENERIC`].
    pub boilerplate: Boilerplate,
}

/// Boilerplate any capture may carry, whatever the outlet.
pub static GENERIC: Boilerplate = Boilerplate {
    drop_lines: &[
        r"^Read on(\.\.\.|…)$",
        r"^Featured image via\b",
        // Channel plugs ("… is now on Telegram/WhatsApp. Click here to join").
        r"(?i)is now on (Telegram|WhatsApp)\b.*\bjoin\b",
    ],
    cut_from: &[r"^You may like$"],
    blocks: &[],
};

/// Known outlets, tried in order; the first whose marker matches wins.
pub static OUTLETS: &[OutletRule] = &[
    OutletRule {
        name: "The Canary",
        markers: &[r"(?m)^\s*Support us and go ad-free\s*$", r"Canary Workers['’] Co-op"],
        title: TitleRule::FirstLine,
        date: None,
        boilerplate: Boilerplate {
            drop_lines: &[r"^Support us and go ad-free$"],
            cut_from: &[],
            // The closing appeal runs from its "Support us and go ad-free"
            // line to a bare "Support us" button.
            blocks: &[(r"^Support us and go ad-free$", r"^Support us$")],
        },
    },
    OutletRule {
        name: "News Line",
        markers: &[r"\A\s*date \d{4}-\d{2}-\d{2}\s"],
        title: TitleRule::None,
        date: Some(r"\A\s*date (?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\s+"),
        boilerplate: Boilerplate { drop_lines: &[], cut_from: &[], blocks: &[] },
    },
    OutletRule {
        name: "GB News",
        markers: &[r"(?m)^\s*Published: \d{2}/\d{2}/\d{4}\s*$"],
        title: TitleRule::FirstLine,
        date: Some(
            r"(?m)^\s*Published:\s*(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?:\s*\n\s*-\s*(?P<H>\d{1,2}):(?P<M>\d{2}))?",
        ),
        boilerplate: Boilerplate {
            // The date/time header lines and the picture-agency credit.
            drop_lines: &[
                r"^Updated:\s*\d{1,2}/\d{1,2}/\d{4}$",
                r"^-\s*\d{1,2}:\d{2}$",
                r"^(PA|Getty Images?|Reuters|GB News|Alamy)$",
            ],
            cut_from: &[],
            blocks: &[],
        },
    },
    OutletRule {
        name: "The Week",
        markers: &[r"The Week is now on Telegram"],
        title: TitleRule::FirstLine,
        date: None,
        boilerplate: Boilerplate {
            drop_lines: &[r"^\(With [A-Z]+ inputs\.?\)$"],
            cut_from: &[],
            blocks: &[],
        },
    },
];

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::*;

    #[test]
    fn every_pattern_compiles() {
        let all = std::iter::once(&GENERIC).chain(OUTLETS.iter().map(|o| &o.boilerplate));
        for b in all {
            for p in b
                .drop_lines
                .iter()
                .chain(b.cut_from)
                .chain(b.blocks.iter().flat_map(|(s, e)| [s, e]))
            {
                Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}"));
            }
        }
        for o in OUTLETS {
            for p in o.markers.iter().chain(o.date.iter()) {
                Regex::new(p).unwrap_or_else(|e| panic!("{}: {p}: {e}", o.name));
            }
        }
    }
}
