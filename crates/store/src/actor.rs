//! Who takes a step ([`Actor`]): what the timeline, the ledger, payments, the outbox and the audit
//! trail record. A foundation: it depends on nothing else in the store.

use storedesk_domain::{Role, StaffCode};

/// Who takes a step: a signed-in person (perhaps with another's approval), or the program itself
/// (`central` for the saga's answers, `sync`, a benchmark) for steps no person takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Staff(Signed),
    System(String),
}

/// A person whose PIN this till checked; only [`Store::sign_in`] and [`Store::approve`] make one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    code: StaffCode,
    name: String,
    role: Role,
    approver: Option<(StaffCode, Role)>,
}

impl Signed {
    /// Only the staff module makes one, after checking the PIN.
    pub(crate) fn new(code: StaffCode, name: String, role: Role) -> Self {
        Signed { code, name, role, approver: None }
    }

    /// The same person's step, approved by `code` (whose PIN was checked).
    pub(crate) fn approved_by(&self, code: StaffCode, role: Role) -> Self {
        Signed { approver: Some((code, role)), ..self.clone() }
    }

    pub fn approver_code(&self) -> Option<&StaffCode> {
        self.approver.as_ref().map(|(code, _)| code)
    }

    pub fn code(&self) -> &StaffCode {
        &self.code
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn role(&self) -> Role {
        self.role
    }
}

impl Actor {
    /// What the timeline and the trail record: the staff code, or the program's name.
    pub fn recorded(&self) -> &str {
        match self {
            Actor::Staff(s) => s.code.as_str(),
            Actor::System(name) => name,
        }
    }

    /// The person, when a person took the step.
    pub fn staff(&self) -> Option<&StaffCode> {
        match self {
            Actor::Staff(s) => Some(&s.code),
            Actor::System(_) => None,
        }
    }

    pub fn approver(&self) -> Option<&StaffCode> {
        match self {
            Actor::Staff(s) => s.approver.as_ref().map(|(c, _)| c),
            Actor::System(_) => None,
        }
    }

    /// The same person without the approval (a till keeps the signed-in person, not the approver).
    pub fn without_approval(&self) -> Actor {
        match self {
            Actor::Staff(s) => Actor::Staff(Signed { approver: None, ..s.clone() }),
            other => other.clone(),
        }
    }
}

impl Default for Actor {
    fn default() -> Self {
        Actor::System("program".into())
    }
}

impl From<&Actor> for Actor {
    fn from(actor: &Actor) -> Self {
        actor.clone()
    }
}

impl From<&str> for Actor {
    fn from(name: &str) -> Self {
        Actor::System(name.to_string())
    }
}
