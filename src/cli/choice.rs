//! Closed sets of flag values (`--theme`, `--page`, `--objective`) as clap `ValueEnum`s, parsed with
//! a message in the tool's own words: `unknown map theme "rainbow"` plus the accepted names. `--help`
//! still lists the possible values.

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::ErrorKind;
use clap::ValueEnum;
use std::ffi::OsStr;
use std::marker::PhantomData;

/// A value parser for `E` whose error says `unknown {what} "{value}"` and lists the accepted names.
#[derive(Clone)]
pub struct Choice<E> {
    what: &'static str,
    _e: PhantomData<fn() -> E>,
}

/// Parse `E` (case-insensitively if the argument sets `ignore_case`), naming `what` on failure.
pub fn choice<E>(what: &'static str) -> Choice<E> {
    Choice { what, _e: PhantomData }
}

impl<E: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for Choice<E> {
    type Value = E;

    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, value: &OsStr) -> Result<E, clap::Error> {
        let text = value.to_string_lossy();
        let ignore_case = arg.is_some_and(|a| a.is_ignore_case_set());
        E::from_str(&text, ignore_case).map_err(|_| {
            let names: Vec<String> =
                E::value_variants().iter().filter_map(|v| v.to_possible_value()).map(|p| p.get_name().into()).collect();
            let msg = format!("unknown {} \"{text}\"\n  hint: use one of: {}", self.what, names.join(", "));
            clap::Error::raw(ErrorKind::InvalidValue, msg).format(&mut cmd.clone())
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(E::value_variants().iter().filter_map(|v| v.to_possible_value())))
    }
}

/// The canonical name of a value (what `--help` lists first), for run records.
pub fn name<E: ValueEnum>(v: &E) -> String {
    v.to_possible_value().map(|p| p.get_name().to_string()).unwrap_or_default()
}
