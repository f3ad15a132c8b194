//! A small typed view of the derive input: the shape, the fields and their
//! parsed `#[pooled(...)]` attributes, borrowing from `syn`.

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Generics, Ident, Index, Member, Type};

use crate::attr::{self, ContainerAttrs, FieldAttrs};
use crate::ctxt::Ctxt;
use crate::generics::Params;

/// Which derive is expanding; they share the attribute namespace but not
/// every key means something to both.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Derive {
    Reset,
    Pooled,
}

impl Derive {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Derive::Reset => "`#[derive(Reset)]`",
            Derive::Pooled => "`#[derive(Pooled)]`",
        }
    }
}

pub(crate) struct Input<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) generics: &'a Generics,
    /// Kept for the impls, which need to know whether the type is generic.
    pub(crate) params: Params<'a>,
    pub(crate) attrs: ContainerAttrs,
    pub(crate) shape: Shape<'a>,
    /// For a struct, its fields in order. For an enum or a union, the fields of
    /// every variant: only their types (for the `Send` checks of the pool)
    /// and their keys (errors: a derived enum reset does not look at them)
    /// matter there.
    pub(crate) fields: Vec<Field<'a>>,
}

/// The item kind, with the span of its keyword for errors about it.
pub(crate) enum Shape<'a> {
    Struct,
    Enum(Span, Option<DefaultVariant<'a>>),
    Union(Span),
}

/// The variant marked `#[default]`, which a derived reset assigns.
pub(crate) struct DefaultVariant<'a> {
    pub(crate) ident: &'a Ident,
    /// A unit variant is assigned by name. One with fields (which std's
    /// `#[derive(Default)]` refuses, but other derives that read `#[default]`
    /// accept) is built by the type's `Default`, the one thing that knows
    /// what its fields start as.
    pub(crate) unit: bool,
}

pub(crate) struct Field<'a> {
    pub(crate) member: Member,
    pub(crate) ty: &'a Type,
    /// Whether `ty` names a type or const parameter (or `Self`, in a generic
    /// type): then what the derive asks of it is a `where` predicate of the
    /// impl, not a check at the field. Computed once, read by every impl.
    pub(crate) generic: bool,
    pub(crate) attrs: FieldAttrs,
}

impl<'a> Input<'a> {
    pub(crate) fn from_syn(input: &'a DeriveInput, cx: &mut Ctxt) -> Self {
        let attrs = attr::container(&input.attrs, cx);
        let params = Params::new(&input.generics);
        let (shape, fields) = match &input.data {
            Data::Struct(data) => (Shape::Struct, Field::all(&data.fields, &params, cx)),
            Data::Enum(data) => {
                let mut fields = Vec::new();
                let mut default = None;
                for variant in &data.variants {
                    attr::variant(&variant.attrs, cx);
                    // A second `#[default]` is std's error to report.
                    if default.is_none() && attr::is_default_variant(&variant.attrs) {
                        default = Some(DefaultVariant {
                            ident: &variant.ident,
                            unit: matches!(variant.fields, Fields::Unit),
                        });
                    }
                    fields.extend(Field::all(&variant.fields, &params, cx));
                }
                (Shape::Enum(data.enum_token.span, default), fields)
            }
            Data::Union(data) => {
                let fields = data.fields.named.iter().enumerate();
                let fields = fields.map(|(i, f)| Field::from_syn(i, f, &params, cx));
                (Shape::Union(data.union_token.span), fields.collect())
            }
        };
        Input {
            ident: &input.ident,
            generics: &input.generics,
            params,
            attrs,
            shape,
            fields,
        }
    }
}

impl<'a> Field<'a> {
    fn all(fields: &'a Fields, params: &Params, cx: &mut Ctxt) -> Vec<Self> {
        let fields = fields.iter().enumerate();
        fields
            .map(|(i, f)| Field::from_syn(i, f, params, cx))
            .collect()
    }

    fn from_syn(index: usize, field: &'a syn::Field, params: &Params, cx: &mut Ctxt) -> Self {
        let member = match &field.ident {
            Some(ident) => Member::Named(ident.clone()),
            None => {
                let mut index = Index::from(index);
                index.span = field.ty.span();
                Member::Unnamed(index)
            }
        };
        Field {
            member,
            ty: &field.ty,
            generic: params.named_in(field.ty.to_token_stream()),
            attrs: attr::field(&field.attrs, cx),
        }
    }
}
