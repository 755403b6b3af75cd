//! Flat storage for the values of a [`Column`](super::Column): no allocation per value.
//!
//! A column of a million comments used to be a `Vec<Option<String>>`: 24 bytes per row plus a
//! heap block per text, about 60 bytes for an id of a few characters. [`Strs`] keeps all texts
//! of a column in one buffer with an end offset per row (8 bytes plus the text), and [`Vals`]
//! keeps numbers unboxed with a validity flag (9 bytes for an `i64` instead of 16), as Arrow
//! arrays do (#13: a discussion's rows were the peak of its memory).

use std::fmt;

/// Nullable texts, stored end to end in one buffer.
///
/// Collect it from `Option<String>`, `Option<&str>` or `Option<&String>` values, or convert a
/// `Vec` of them:
///
/// ```
/// use threadlens::export::Strs;
///
/// let v: Strs = vec![Some("a"), None, Some("")].into_iter().collect();
/// assert_eq!(v.len(), 3);
/// assert_eq!(v.get(0), Some("a"));
/// assert!(v.is_null(1));
/// assert_eq!(v.get(2), Some(""));
/// assert_eq!(v.iter().collect::<Vec<_>>(), [Some("a"), None, Some("")]);
/// assert_eq!(v, Strs::from(vec![Some("a".to_string()), None, Some(String::new())]));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Strs {
    /// Every non-null text, in row order.
    data: String,
    /// Per row, where its text ends in `data` (a null ends where the row before it ends).
    ends: Vec<usize>,
    /// Per row, whether it holds a text.
    valid: Vec<bool>,
}

impl Strs {
    /// An empty column.
    pub fn new() -> Strs {
        Strs::default()
    }

    /// An empty column with room for `rows` rows holding `bytes` bytes of text in all.
    pub fn with_capacity(rows: usize, bytes: usize) -> Strs {
        Strs {
            data: String::with_capacity(bytes),
            ends: Vec::with_capacity(rows),
            valid: Vec::with_capacity(rows),
        }
    }

    /// Appends a row: `Some(text)` or null.
    pub fn push<S: AsRef<str>>(&mut self, value: Option<S>) {
        if let Some(s) = &value {
            self.data.push_str(s.as_ref());
        }
        self.ends.push(self.data.len());
        self.valid.push(value.is_some());
    }

    /// Number of rows, nulls included.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Whether `row` is null.
    ///
    /// # Panics
    /// If `row` is out of bounds.
    pub fn is_null(&self, row: usize) -> bool {
        !self.valid[row]
    }

    /// The text of `row`; `None` for a null.
    ///
    /// # Panics
    /// If `row` is out of bounds.
    pub fn get(&self, row: usize) -> Option<&str> {
        if !self.valid[row] {
            return None;
        }
        let start = if row == 0 { 0 } else { self.ends[row - 1] };
        Some(&self.data[start..self.ends[row]])
    }

    /// The rows in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<&str>> + DoubleEndedIterator + '_ {
        (0..self.len()).map(|row| self.get(row))
    }

    /// A copy of `rows`.
    ///
    /// # Panics
    /// If `rows` is out of bounds.
    pub fn slice(&self, rows: std::ops::Range<usize>) -> Strs {
        let start = if rows.start == 0 { 0 } else { self.ends[rows.start - 1] };
        let end = if rows.end == 0 { 0 } else { self.ends[rows.end - 1] };
        Strs {
            data: self.data[start..end].to_string(),
            ends: self.ends[rows.clone()].iter().map(|e| e - start).collect(),
            valid: self.valid[rows].to_vec(),
        }
    }

    /// Bytes of text in all rows.
    pub fn text_len(&self) -> usize {
        self.data.len()
    }

    /// Frees the room reserved beyond what the rows hold.
    fn shrink_to_fit(&mut self) {
        self.data.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.valid.shrink_to_fit();
    }
}

impl<S: AsRef<str>> FromIterator<Option<S>> for Strs {
    fn from_iter<I: IntoIterator<Item = Option<S>>>(iter: I) -> Strs {
        let iter = iter.into_iter();
        let mut v = Strs::with_capacity(iter.size_hint().0, 0);
        for s in iter {
            v.push(s);
        }
        v.shrink_to_fit();
        v
    }
}

impl<S: AsRef<str>> Extend<Option<S>> for Strs {
    fn extend<I: IntoIterator<Item = Option<S>>>(&mut self, iter: I) {
        iter.into_iter().for_each(|s| self.push(s));
    }
}

impl From<Vec<Option<String>>> for Strs {
    fn from(values: Vec<Option<String>>) -> Strs {
        values.into_iter().collect()
    }
}

impl fmt::Debug for Strs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Nullable numbers or flags, unboxed: a value (the type's default for a null) and a validity
/// flag per row.
///
/// ```
/// use threadlens::export::Vals;
///
/// let v: Vals<i64> = vec![Some(-7), None, Some(0)].into();
/// assert_eq!(v.len(), 3);
/// assert_eq!(v.get(0), Some(-7));
/// assert!(v.is_null(1));
/// assert_eq!(v.iter().collect::<Vec<_>>(), [Some(-7), None, Some(0)]);
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Vals<T> {
    values: Vec<T>,
    valid: Vec<bool>,
}

impl<T: Copy + Default> Vals<T> {
    /// An empty column.
    pub fn new() -> Vals<T> {
        Vals { values: Vec::new(), valid: Vec::new() }
    }

    /// Appends a row: `Some(value)` or null.
    pub fn push(&mut self, value: Option<T>) {
        self.values.push(value.unwrap_or_default());
        self.valid.push(value.is_some());
    }

    /// Number of rows, nulls included.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether `row` is null.
    ///
    /// # Panics
    /// If `row` is out of bounds.
    pub fn is_null(&self, row: usize) -> bool {
        !self.valid[row]
    }

    /// The value of `row`; `None` for a null.
    ///
    /// # Panics
    /// If `row` is out of bounds.
    pub fn get(&self, row: usize) -> Option<T> {
        self.valid[row].then(|| self.values[row])
    }

    /// The rows in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Option<T>> + DoubleEndedIterator + '_ {
        (0..self.len()).map(|row| self.get(row))
    }

    /// A copy of `rows`.
    ///
    /// # Panics
    /// If `rows` is out of bounds.
    pub fn slice(&self, rows: std::ops::Range<usize>) -> Vals<T> {
        Vals { values: self.values[rows.clone()].to_vec(), valid: self.valid[rows].to_vec() }
    }

    /// The values, with the type's default in place of each null.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// Whether each row holds a value.
    pub fn validity(&self) -> &[bool] {
        &self.valid
    }
}

impl<T: Copy + Default> FromIterator<Option<T>> for Vals<T> {
    fn from_iter<I: IntoIterator<Item = Option<T>>>(iter: I) -> Vals<T> {
        let iter = iter.into_iter();
        let n = iter.size_hint().0;
        let mut v = Vals { values: Vec::with_capacity(n), valid: Vec::with_capacity(n) };
        for x in iter {
            v.push(x);
        }
        v.values.shrink_to_fit();
        v.valid.shrink_to_fit();
        v
    }
}

impl<T: Copy + Default> Extend<Option<T>> for Vals<T> {
    fn extend<I: IntoIterator<Item = Option<T>>>(&mut self, iter: I) {
        iter.into_iter().for_each(|x| self.push(x));
    }
}

impl<T: Copy + Default> From<Vec<Option<T>>> for Vals<T> {
    fn from(values: Vec<Option<T>>) -> Vals<T> {
        values.into_iter().collect()
    }
}

impl<T: Copy + Default + fmt::Debug> fmt::Debug for Vals<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::{Strs, Vals};

    #[test]
    fn texts_keep_rows_nulls_and_empty_strings_apart() {
        let rows = [Some("héllo"), None, Some(""), None, Some("a, \"b\"\n"), Some("")];
        let v: Strs = rows.iter().copied().collect();
        assert_eq!(v.len(), rows.len());
        assert_eq!(v.iter().collect::<Vec<_>>(), rows);
        assert_eq!(
            v.iter().rev().collect::<Vec<_>>(),
            rows.iter().rev().copied().collect::<Vec<_>>()
        );
        assert_eq!(v.text_len(), "héllo".len() + "a, \"b\"\n".len());
        // Pushing one by one is the same column as collecting; a null differs from "".
        let mut w = Strs::new();
        rows.iter().for_each(|s| w.push(*s));
        assert_eq!(v, w);
        let other: Strs = [Some("héllo"), Some(""), Some(""), None, Some("a, \"b\"\n"), Some("")]
            .into_iter()
            .collect();
        assert_ne!(v, other);
        assert_eq!(format!("{v:?}"), format!("{rows:?}"));
        for a in 0..=rows.len() {
            for b in a..=rows.len() {
                let part: Strs = rows[a..b].iter().copied().collect();
                assert_eq!(v.slice(a..b), part, "{a}..{b}");
            }
        }
    }

    #[test]
    fn numbers_keep_nulls_apart_from_defaults() {
        let v: Vals<f64> = vec![Some(0.0), None, Some(-1.5)].into();
        assert_eq!(v.iter().collect::<Vec<_>>(), [Some(0.0), None, Some(-1.5)]);
        assert_ne!(v, Vals::from(vec![Some(0.0), Some(0.0), Some(-1.5)]));
        assert_eq!(v.values(), [0.0, 0.0, -1.5]);
        assert_eq!(v.validity(), [true, false, true]);
        let b: Vals<bool> = [None, Some(false)].into_iter().collect();
        assert_eq!((b.get(0), b.get(1)), (None, Some(false)));
        assert!(Vals::<i64>::new().is_empty());
        assert_eq!(v.slice(1..3), Vals::from(vec![None, Some(-1.5)]));
        assert!(v.slice(3..3).is_empty());
    }
}
