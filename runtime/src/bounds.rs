//! The ranges numeric parameters must be in, checked before a request is sent, so a value the
//! API description rules out (a negative offset, a page size of zero) never reaches the server.

use std::fmt;

use crate::error::Error;
use crate::request::Request;

/// A parameter's allowed range: JSON Schema `minimum`/`maximum`, each `(value, exclusive)`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bounds {
    /// The lower bound and whether the bound itself is excluded.
    pub minimum: Option<(f64, bool)>,
    /// The upper bound and whether the bound itself is excluded.
    pub maximum: Option<(f64, bool)>,
}

/// A number a parameter can hold.
pub trait Number: Copy + fmt::Display {
    /// The value as `f64`, for comparing it with the bounds.
    fn to_f64(self) -> f64;
}

macro_rules! number {
    ($($t:ty),*) => {$(
        impl Number for $t {
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}
number!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64);

impl Bounds {
    /// Why `value` is out of range, or `None` when it is in range. NaN is never in range.
    pub fn violation<V: Number>(&self, value: V) -> Option<String> {
        let x = value.to_f64();
        if x.is_nan() {
            return Some("is not a number".to_owned());
        }
        if let Some((min, exclusive)) = self.minimum
            && (x < min || (exclusive && x == min))
        {
            let relation = if exclusive {
                "greater than"
            } else {
                "at least"
            };
            return Some(format!("must be {relation} {min}, not {value}"));
        }
        if let Some((max, exclusive)) = self.maximum
            && (x > max || (exclusive && x == max))
        {
            let relation = if exclusive { "less than" } else { "at most" };
            return Some(format!("must be {relation} {max}, not {value}"));
        }
        None
    }
}

impl Request {
    /// Checks a numeric parameter against its documented range before anything is sent.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] naming the parameter, the range and the value.
    pub fn check_bounds<V: Number>(
        &self,
        name: &'static str,
        value: &V,
        bounds: Bounds,
    ) -> Result<(), Error> {
        match bounds.violation(*value) {
            None => Ok(()),
            Some(reason) => Err(Error::InvalidRequest {
                operation: self.operation,
                message: format!("parameter `{name}` {reason}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFSET: Bounds = Bounds {
        minimum: Some((0.0, false)),
        maximum: None,
    };

    #[test]
    fn inclusive_and_exclusive_bounds() {
        assert_eq!(OFFSET.violation(0_i64), None);
        assert_eq!(
            OFFSET.violation(-1_i64).as_deref(),
            Some("must be at least 0, not -1")
        );
        let open = Bounds {
            minimum: Some((0.0, true)),
            maximum: Some((1.0, true)),
        };
        assert_eq!(open.violation(0.5_f64), None);
        assert_eq!(
            open.violation(0.0_f64).as_deref(),
            Some("must be greater than 0, not 0")
        );
        assert_eq!(
            open.violation(1_i32).as_deref(),
            Some("must be less than 1, not 1")
        );
        assert_eq!(open.violation(f64::NAN).as_deref(), Some("is not a number"));
        assert_eq!(Bounds::default().violation(i64::MIN), None);
    }

    #[test]
    fn the_error_names_operation_parameter_and_value() {
        let request = Request::new(reqwest::Method::GET, "getUsers", "/accounts/users");
        let error = request.check_bounds("skip", &-5_i64, OFFSET).unwrap_err();
        assert_eq!(
            error.to_string(),
            "getUsers: invalid request: parameter `skip` must be at least 0, not -5"
        );
    }
}
