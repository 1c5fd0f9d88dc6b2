//! Walking an expression's text the way its grammar nests: brackets, and quoted text
//! (`'…'` strings and `` `…` `` identifiers, with `\` escapes). The size guard and the
//! sub-expression split both read an expression through this one walker.

/// One character of an expression, with the bracket depth after it and whether it belongs
/// to quoted text (the quotes included).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placed {
    pub c: char,
    pub depth: usize,
    pub quoted: bool,
}

/// The characters of `expr`, each placed.
pub(crate) fn walk(expr: &str) -> impl Iterator<Item = Placed> + '_ {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    expr.chars().map(move |c| {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            return Placed {
                c,
                depth,
                quoted: true,
            };
        }
        match c {
            '\'' | '`' => {
                quote = Some(c);
                return Placed {
                    c,
                    depth,
                    quoted: true,
                };
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        Placed {
            c,
            depth,
            quoted: false,
        }
    })
}
