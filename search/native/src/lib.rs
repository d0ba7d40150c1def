//! Per-token tables and the assembly of a search document's derived fields.
//!
//! The Python side (`search/tokens.py`) owns every piece of *analysis*: which words a
//! whitespace token holds, their stems, folded forms, prefixes and compound parts, all
//! computed with the project's own analyzers. This module only *remembers* each distinct
//! token's analysis and, per document, maps the document's tokens through those tables,
//! deduplicates and joins: the part that costs most in Python because it touches every
//! token of every document (a corpus repeats its vocabulary, so analysis itself is rare).
//!
//! Every call that meets a token it does not know returns the unknown tokens instead of a
//! result; the caller analyses them (`TextMap.add`) and calls again. Tokens are split
//! exactly as Python's `str.split()` splits (the same 29 whitespace characters), and the
//! texts arrive lower-cased (Python's `str.lower`), so both sides agree on every token.

use pyo3::prelude::*;
use compact_str::CompactString;
use rustc_hash::{FxHashMap, FxHashSet};

type Sym = u32;
const EMPTY: Sym = 0; // the interned ""

/// Python's `str.isspace()`: what `str.split()` splits on.
#[inline]
fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{d}'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// The tokens of `text` as `text.split()` gives them.
#[inline]
fn split(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_py_space).filter(|t| !t.is_empty())
}

/// One token's analysis, packed into two allocations (a document touches hundreds of
/// entries; each separate allocation would be one more cache miss per token).
struct Entry {
    id: Sym, // the token itself (interned): marks deduplicate tokens by it
    /// the stem of each word (EMPTY where the analysis drops the word), then the stems
    /// that differ from their folded word, then the words that split into known parts
    syms: Box<[Sym]>,
    n_stems: u32,
    n_inflected: u32,
    /// the `sv_fold` tokens of its words, then their `sv_prefix` tokens, then its
    /// pre-stemmed text (see `stemmed_text`), each space-separated
    text: Box<str>,
    split: u32,
    split2: u32,
}

impl Entry {
    fn stems(&self) -> &[Sym] {
        &self.syms[..self.n_stems as usize]
    }

    fn inflected(&self) -> &[Sym] {
        &self.syms[self.n_stems as usize..(self.n_stems + self.n_inflected) as usize]
    }

    fn compounds(&self) -> &[Sym] {
        &self.syms[(self.n_stems + self.n_inflected) as usize..]
    }

    fn folds(&self) -> &str {
        &self.text[..self.split as usize]
    }

    fn prefixes(&self) -> &str {
        &self.text[self.split as usize..self.split2 as usize]
    }

    fn stemmed(&self) -> &str {
        &self.text[self.split2 as usize..]
    }
}

#[derive(Default)]
struct Interner {
    strings: Vec<String>,
    ids: FxHashMap<String, Sym>,
}

impl Interner {
    fn new() -> Self {
        let mut i = Interner::default();
        i.intern("");
        i
    }

    fn intern(&mut self, s: &str) -> Sym {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.strings.len() as Sym;
        self.strings.push(s.to_owned());
        self.ids.insert(s.to_owned(), id);
        id
    }

    fn all(&mut self, items: &[String]) -> Box<[Sym]> {
        items.iter().map(|s| self.intern(s)).collect()
    }
}

/// Marks for deduplication: a symbol is "seen" when its mark equals the current round.
#[derive(Default)]
struct Marks {
    mark: Vec<u32>,
    round: u32,
}

impl Marks {
    fn next(&mut self, size: usize) {
        if self.mark.len() < size {
            self.mark.resize(size, 0);
        }
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.round = 1;
        }
    }

    /// True the first time `sym` is seen in this round.
    #[inline]
    fn first(&mut self, sym: Sym) -> bool {
        let m = &mut self.mark[sym as usize];
        if *m == self.round {
            false
        } else {
            *m = self.round;
            true
        }
    }
}

/// Synonym groups as the Python side defines them (`search/synonyms.py`).
#[derive(Clone)]
struct SynonymConfig {
    /// (stems of an expression, index of its group)
    expressions: Vec<(Vec<String>, usize)>,
    /// per group: (expression text, the inflected stems of its words)
    groups: Vec<Vec<(String, Vec<String>)>>,
}

struct Synonyms {
    by_first: FxHashMap<Sym, Vec<(Box<[Sym]>, usize)>>,
    groups: Vec<Vec<(String, Box<[Sym]>)>>,
}

impl Synonyms {
    fn load(config: &SynonymConfig, interner: &mut Interner) -> Self {
        let mut by_first: FxHashMap<Sym, Vec<(Box<[Sym]>, usize)>> = FxHashMap::default();
        for (stems, group) in &config.expressions {
            let syms = interner.all(stems);
            if let Some(&first) = syms.first() {
                by_first.entry(first).or_default().push((syms, *group));
            }
        }
        let groups = config
            .groups
            .iter()
            .map(|g| g.iter().map(|(text, stems)| (text.clone(), interner.all(stems))).collect())
            .collect();
        Synonyms { by_first, groups }
    }
}

fn join(strings: &[String], syms: &[Sym], out: &mut String) {
    for (i, &s) in syms.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&strings[s as usize]);
    }
}

/// Remembers the analysis of every whitespace token it was given and assembles a
/// document's derived fields from it (see the module documentation).
#[pyclass(module = "barnratt_native")]
struct TextMap {
    interner: Interner,
    tokens: FxHashMap<CompactString, Entry>,
    parts: FxHashMap<Sym, Box<[Sym]>>,
    /// original-case token -> the stems of its words (the caller's placeholder for a
    /// word the analysis drops): text for a pre-stemmed field
    cased: FxHashMap<CompactString, Box<str>>,
    config: SynonymConfig,
    synonyms: Synonyms,
    limit: usize,
    pending: bool,
    marks: Marks,
}

type Missing = Option<Vec<String>>;

impl TextMap {
    /// Start afresh (tables, interner) when the tables grew past the limit: memory stays
    /// bounded; every token is then unknown again and gets analysed once more.
    /// Not while a caller is still adding the tokens one document asked for (`pending`):
    /// a document with more tokens than the limit must still get its result.
    fn bound(&mut self) {
        if self.tokens.len() + self.cased.len() > self.limit && !self.pending {
            self.tokens.clear();
            self.parts.clear();
            self.cased.clear();
            self.interner = Interner::new();
            self.synonyms = Synonyms::load(&self.config, &mut self.interner);
        }
    }

    /// The entry of every token of `texts` (one list per text), or the unknown tokens.
    fn resolve<'a>(tokens: &'a FxHashMap<CompactString, Entry>, texts: &[&str]) -> Result<Vec<Vec<&'a Entry>>, Vec<String>> {
        let mut out = Vec::with_capacity(texts.len());
        let mut missing: Vec<String> = Vec::new();
        let mut seen: FxHashSet<&str> = FxHashSet::default();
        for text in texts {
            let mut entries = Vec::new();
            for tok in split(text) {
                match tokens.get(tok) {
                    Some(e) => entries.push(e),
                    None => {
                        if seen.insert(tok) {
                            missing.push(tok.to_owned());
                        }
                    }
                }
            }
            out.push(entries);
        }
        if missing.is_empty() {
            Ok(out)
        } else {
            Err(missing)
        }
    }
}

#[pymethods]
impl TextMap {
    /// `expressions`: (stems, group index) of every synonym expression;
    /// `groups`: per group, (expression, inflected stems of its words).
    #[new]
    #[pyo3(signature = (expressions, groups, limit = 1_000_000))]
    fn new(expressions: Vec<(Vec<String>, usize)>, groups: Vec<Vec<(String, Vec<String>)>>, limit: usize) -> Self {
        let config = SynonymConfig { expressions, groups };
        let mut interner = Interner::new();
        let synonyms = Synonyms::load(&config, &mut interner);
        TextMap {
            interner,
            tokens: FxHashMap::default(),
            parts: FxHashMap::default(),
            cased: FxHashMap::default(),
            config,
            synonyms,
            limit,
            pending: false,
            marks: Marks::default(),
        }
    }

    /// Remember one token's analysis. `compounds` pairs each compound word of the token
    /// with its sub-compounds (each of which the caller adds as a token too); `stemmed` is
    /// its text for a pre-stemmed field (as `add_cased` would be given it).
    fn add(
        &mut self,
        token: &str,
        stems: Vec<String>,
        inflected: Vec<String>,
        compounds: Vec<(String, Vec<String>)>,
        folds: Vec<String>,
        prefixes: Vec<String>,
        stemmed: &str,
    ) {
        let i = &mut self.interner;
        let mut words: Vec<Sym> = Vec::with_capacity(compounds.len());
        for (word, parts) in &compounds {
            let w = i.intern(word);
            let p = i.all(parts);
            self.parts.insert(w, p);
            words.push(w);
        }
        let mut syms: Vec<Sym> = Vec::with_capacity(stems.len() + inflected.len() + words.len());
        syms.extend(stems.iter().map(|x| i.intern(x)));
        syms.extend(inflected.iter().map(|x| i.intern(x)));
        syms.extend(words);
        let folds = folds.join(" ");
        let split = folds.len() as u32;
        let mut text = folds + &prefixes.join(" ");
        let split2 = text.len() as u32;
        text.push_str(stemmed);
        let entry = Entry {
            id: i.intern(token),
            syms: syms.into_boxed_slice(),
            n_stems: stems.len() as u32,
            n_inflected: inflected.len() as u32,
            text: text.into_boxed_str(),
            split,
            split2,
        };
        self.tokens.insert(CompactString::from(token), entry);
    }

    /// Remember the stems of an original-case token's words (see `stemmed_text`).
    fn add_cased(&mut self, token: &str, stems: Vec<String>) {
        self.cased.insert(CompactString::from(token), stems.join(" ").into_boxed_str());
    }

    /// `texts` (original case) as the stemming analysis tokenizes them, space-separated:
    /// every token's stems in order, across all texts: `(missing, text)`, where `missing`
    /// lists the tokens to `add_cased` first.
    fn stemmed_text(&mut self, texts: Vec<String>) -> (Missing, String) {
        self.bound();
        let mut missing: Vec<String> = Vec::new();
        let mut seen: FxHashSet<&str> = FxHashSet::default();
        let mut out = String::new();
        for text in &texts {
            for tok in split(text) {
                // The token table's entry for the same string holds the same text (its
                // stems, from the same words): most tokens of a text are lower-case.
                let known = self.tokens.get(tok).map(Entry::stemmed).or_else(|| self.cased.get(tok).map(|s| &**s));
                match known {
                    Some(stems) if missing.is_empty() => {
                        if !stems.is_empty() {
                            if !out.is_empty() {
                                out.push(' ');
                            }
                            out.push_str(stems);
                        }
                    }
                    Some(_) => {}
                    None => {
                        if seen.insert(tok) {
                            missing.push(tok.to_owned());
                        }
                    }
                }
            }
        }
        if missing.is_empty() {
            self.pending = false;
            (None, out)
        } else {
            self.pending = true;
            (Some(missing), String::new())
        }
    }

    fn __len__(&self) -> usize {
        self.tokens.len()
    }

    fn __contains__(&self, token: &str) -> bool {
        self.tokens.contains_key(token)
    }

    /// The engine-neutral derived fields of a document whose ranked text fields
    /// (title, summary, body fields; lower-cased) are `fields` and whose organisation
    /// name (lower-cased) is `org`: `(missing, compound_parts, stems, synonyms)`, where
    /// `missing` lists the tokens to `add` first (and the strings are then empty).
    fn document(&mut self, fields: Vec<String>, org: String) -> (Missing, String, String, String) {
        self.bound();
        let empty = || (String::new(), String::new(), String::new());
        let texts: Vec<&str> = fields.iter().map(String::as_str).chain(std::iter::once(org.as_str())).collect();
        let TextMap { interner, tokens, parts: part_table, synonyms, marks, pending, .. } = self;
        let mut field_entries = match Self::resolve(tokens, &texts) {
            Ok(entries) => entries,
            Err(missing) => {
                *pending = true;
                let (a, b, c) = empty();
                return (Some(missing), a, b, c);
            }
        };
        *pending = false;
        let org_entries = field_entries.pop().unwrap_or_default();
        let strings = &interner.strings;
        let size = strings.len();

        // compound words of the ranked fields, sorted; their sub-compounds, in that order
        marks.next(size);
        let mut compounds: Vec<Sym> = Vec::new();
        for e in field_entries.iter().flatten() {
            for &c in e.compounds() {
                if marks.first(c) {
                    compounds.push(c);
                }
            }
        }
        compounds.sort_unstable_by(|a, b| strings[*a as usize].cmp(&strings[*b as usize]));
        marks.next(size);
        let mut parts: Vec<Sym> = Vec::new();
        for c in &compounds {
            if let Some(ps) = part_table.get(c) {
                for &p in ps.iter() {
                    if marks.first(p) {
                        parts.push(p);
                    }
                }
            }
        }
        let part_entries: Vec<&Entry> = {
            let unknown: Vec<String> = parts
                .iter()
                .map(|&p| &strings[p as usize])
                .filter(|s| !tokens.contains_key(s.as_str()))
                .cloned()
                .collect();
            if !unknown.is_empty() {
                *pending = true;
                let (a, b, c) = empty();
                return (Some(unknown), a, b, c);
            }
            parts.iter().map(|&p| &tokens[strings[p as usize].as_str()]).collect()
        };
        let mut compound_parts = String::new();
        join(strings, &parts, &mut compound_parts);

        // inflected stems, in order of first occurrence: ranked fields, organisation, parts
        marks.next(size);
        let mut stems: Vec<Sym> = Vec::new();
        for e in field_entries.iter().flatten().chain(org_entries.iter()).chain(part_entries.iter()) {
            for &s in e.inflected() {
                if marks.first(s) {
                    stems.push(s);
                }
            }
        }
        let mut stems_text = String::new();
        join(strings, &stems, &mut stems_text);

        // synonym groups one of whose expressions occurs as a run of stems in one field
        let mut found = vec![false; synonyms.groups.len()];
        let mut sequence: Vec<Sym> = Vec::new();
        for entries in field_entries.iter().chain(std::iter::once(&org_entries)) {
            sequence.clear();
            for e in entries {
                sequence.extend_from_slice(e.stems());
            }
            for i in 0..sequence.len() {
                if let Some(candidates) = synonyms.by_first.get(&sequence[i]) {
                    for (expression, g) in candidates {
                        if !found[*g] && sequence[i..].starts_with(expression) {
                            found[*g] = true;
                        }
                    }
                }
            }
        }
        let mut synonym_text = String::new();
        if found.iter().any(|&f| f) {
            marks.next(size);
            let mut extra: Vec<Sym> = Vec::new();
            let mut first = true;
            for (g, group) in synonyms.groups.iter().enumerate() {
                if !found[g] {
                    continue;
                }
                for (text, inflected) in group {
                    if !first {
                        synonym_text.push_str(" . ");
                    }
                    first = false;
                    synonym_text.push_str(text);
                    for &s in inflected.iter() {
                        if s != EMPTY && marks.first(s) {
                            extra.push(s);
                        }
                    }
                }
            }
            if !extra.is_empty() {
                synonym_text.push_str(" . ");
                join(strings, &extra, &mut synonym_text);
            }
        }
        (None, compound_parts, stems_text, synonym_text)
    }

    /// The `all_raw` and `prefix` values (embedded engine) of a document whose searchable
    /// texts (lower-cased) are `texts`: the distinct `sv_fold` tokens and the distinct
    /// `sv_prefix` tokens of its words, space-separated: `(missing, folds, prefixes)`.
    fn index_forms(&mut self, texts: Vec<String>) -> (Missing, String, String) {
        self.bound();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let TextMap { interner, tokens, marks, pending, .. } = self;
        let all = match Self::resolve(tokens, &refs) {
            Ok(entries) => entries,
            Err(missing) => {
                *pending = true;
                return (Some(missing), String::new(), String::new());
            }
        };
        *pending = false;
        let strings = &interner.strings;
        let size = strings.len();
        marks.next(size);
        let entries: Vec<&Entry> = all.into_iter().flatten().filter(|e| marks.first(e.id)).collect();
        let mut folds = String::new();
        let mut prefixes = String::new();
        for e in &entries {
            for (out, part) in [(&mut folds, e.folds()), (&mut prefixes, e.prefixes())] {
                if !part.is_empty() {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    out.push_str(part);
                }
            }
        }
        (None, folds, prefixes)
    }
}

#[pymodule]
fn barnratt_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<TextMap>()?;
    Ok(())
}
