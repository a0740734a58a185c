//! Exact rationals that stay on i128 while they fit and move to big integers when they do not:
//! participatory-budgeting rules need exact arithmetic, and most of their numbers are small.

use std::cmp::Ordering;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};

use num_bigint::BigInt;
use num_rational::{BigRational, Ratio};
use num_traits::{CheckedAdd, CheckedDiv, CheckedMul, CheckedSub, One, Signed, ToPrimitive, Zero};

#[derive(Debug, Clone)]
pub enum Q {
    Small(Ratio<i128>),
    Big(BigRational),
}

impl Q {
    pub fn big(&self) -> BigRational {
        match self {
            Q::Small(r) => BigRational::new_raw(BigInt::from(*r.numer()), BigInt::from(*r.denom())),
            Q::Big(b) => b.clone(),
        }
    }

    fn norm(b: BigRational) -> Q {
        match (b.numer().to_i128(), b.denom().to_i128()) {
            (Some(n), Some(d)) => Q::Small(Ratio::new_raw(n, d)),
            _ => Q::Big(b),
        }
    }

    pub fn new(n: BigInt, d: BigInt) -> Q {
        Q::norm(BigRational::new(n, d))
    }

    /// `b` (reduced), on i128 when it fits.
    pub fn from_big(b: BigRational) -> Q {
        Q::norm(b)
    }

    pub fn from_integer(n: BigInt) -> Q {
        Q::norm(BigRational::from_integer(n))
    }

    pub fn from_usize(n: usize) -> Q {
        Q::Small(Ratio::from_integer(n as i128))
    }

    pub fn is_negative(&self) -> bool {
        match self {
            Q::Small(r) => r.is_negative(),
            Q::Big(b) => b.is_negative(),
        }
    }

    /// The numerator (in lowest terms, the sign's).
    pub fn numer(&self) -> BigInt {
        match self {
            Q::Small(r) => BigInt::from(*r.numer()),
            Q::Big(b) => b.numer().clone(),
        }
    }

    /// The denominator (in lowest terms, positive).
    pub fn denom(&self) -> BigInt {
        match self {
            Q::Small(r) => BigInt::from(*r.denom()),
            Q::Big(b) => b.denom().clone(),
        }
    }

    /// (numerator, denominator) as decimal strings.
    pub fn parts(&self) -> (String, String) {
        match self {
            Q::Small(r) => (r.numer().to_string(), r.denom().to_string()),
            Q::Big(b) => (b.numer().to_string(), b.denom().to_string()),
        }
    }

    pub fn to_f64(&self) -> f64 {
        match self {
            Q::Small(r) => *r.numer() as f64 / *r.denom() as f64,
            Q::Big(b) => b.to_f64().unwrap_or(f64::NAN),
        }
    }
}

macro_rules! binop {
    ($trait:ident, $method:ident, $checked:ident, $op:tt) => {
        impl $trait<&Q> for &Q {
            type Output = Q;
            fn $method(self, o: &Q) -> Q {
                if let (Q::Small(a), Q::Small(b)) = (self, o) {
                    if let Some(r) = a.$checked(b) {
                        return Q::Small(r);
                    }
                }
                Q::norm(self.big() $op o.big())
            }
        }
        impl $trait<Q> for Q {
            type Output = Q;
            fn $method(self, o: Q) -> Q {
                (&self).$method(&o)
            }
        }
        impl $trait<&Q> for Q {
            type Output = Q;
            fn $method(self, o: &Q) -> Q {
                (&self).$method(o)
            }
        }
        impl $trait<Q> for &Q {
            type Output = Q;
            fn $method(self, o: Q) -> Q {
                self.$method(&o)
            }
        }
    };
}

binop!(Add, add, checked_add, +);
binop!(Sub, sub, checked_sub, -);
binop!(Mul, mul, checked_mul, *);
binop!(Div, div, checked_div, /);

impl AddAssign<&Q> for Q {
    fn add_assign(&mut self, o: &Q) {
        *self = &*self + o;
    }
}
impl AddAssign<Q> for Q {
    fn add_assign(&mut self, o: Q) {
        *self = &*self + &o;
    }
}
impl SubAssign<&Q> for Q {
    fn sub_assign(&mut self, o: &Q) {
        *self = &*self - o;
    }
}
impl SubAssign<Q> for Q {
    fn sub_assign(&mut self, o: Q) {
        *self = &*self - &o;
    }
}
impl Neg for Q {
    type Output = Q;
    fn neg(self) -> Q {
        match self {
            Q::Small(r) => match r.numer().checked_neg() {
                Some(n) => Q::Small(Ratio::new_raw(n, *r.denom())),
                None => Q::norm(-Q::Small(r).big()),
            },
            Q::Big(b) => Q::norm(-b),
        }
    }
}

impl PartialEq for Q {
    fn eq(&self, o: &Q) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Q {}
impl PartialOrd for Q {
    fn partial_cmp(&self, o: &Q) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Q {
    fn cmp(&self, o: &Q) -> Ordering {
        match (self, o) {
            // Ratio's comparison works on the continued fraction: no overflow.
            (Q::Small(a), Q::Small(b)) => a.cmp(b),
            _ => self.big().cmp(&o.big()),
        }
    }
}

impl Zero for Q {
    fn zero() -> Q {
        Q::Small(Ratio::zero())
    }
    fn is_zero(&self) -> bool {
        match self {
            Q::Small(r) => r.is_zero(),
            Q::Big(b) => b.is_zero(),
        }
    }
}
impl Default for Q {
    fn default() -> Q {
        Q::zero()
    }
}
impl One for Q {
    fn one() -> Q {
        Q::Small(Ratio::one())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_moves_to_big_and_back() {
        let big = Q::Small(Ratio::from_integer(i128::MAX / 2));
        let sum = &big + &big + &big;
        assert!(matches!(sum, Q::Big(_)));
        let back = &sum - &big - &big;
        assert!(matches!(back, Q::Small(_)));
        assert_eq!(back, big);
        let third = Q::from_usize(1) / Q::from_usize(3);
        assert_eq!(&third * Q::from_usize(3), Q::one());
        assert!(third < Q::from_usize(1) / Q::from_usize(2));
        assert!((-third).is_negative());
    }
}
