//! Enums that travel as text (in the database, in JSON, in forms): one list of variant → code
//! gives each its `ALL`, `as_str`, `Display` and `FromStr`, so the code and its parsing can never
//! disagree.

/// `codes!(Type, "/field", "message when unknown", { Variant => "code", … })`.
macro_rules! codes {
    ($ty:ident, $field:literal, $unknown:literal, { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: [Self; { [$($code),+].len() }] = [$(Self::$variant),+];

            /// The code it is stored and sent as.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::error::DomainError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|value| value.as_str() == s)
                    .ok_or_else(|| $crate::error::DomainError::field($field, $unknown))
            }
        }
    };
}
