//! Derived products per audience. An audience is what one reader may read:
//! the set of readable sources (labels are per source) and, for records that
//! are not a source's (satellite detections), the decision on their label.
//! Products are computed from only that (filter first, then derive), so a
//! partner's view does not change when data it cannot see is added.
//!
//! The `sealane` binary implements [`Products`] with the same detector and
//! fusion code its batch commands run.

use std::collections::BTreeSet;
use std::sync::Arc;

use sealane_core::Label;
use sealane_share::{Policy, RecordState, Subject, decide};
use serde_json::Value;

/// What one reader may read.
#[derive(Debug, Clone)]
pub struct Audience {
    /// The subject; `None` for the local owner of a store without tokens.
    pub subject: Option<Subject>,
    /// Readable sources; `None` when every source is readable.
    pub readable: Option<BTreeSet<u32>>,
    /// The policy, for labels that are not a source's.
    pub policy: Arc<Policy>,
}

impl Audience {
    /// May this audience read a record labelled `label` (not a source's)?
    pub fn may_read_label(&self, label: &Label) -> bool {
        match &self.subject {
            None => true,
            Some(s) => decide(
                &self.policy,
                s,
                label,
                crate::access::now_ms(),
                RecordState { retracted: false, released_to: &[] },
            )
            .is_ok(),
        }
    }

    /// A key that is equal for audiences that see the same sources.
    pub fn sources_key(&self) -> String {
        match &self.readable {
            None => "all".to_string(),
            Some(s) => s.iter().map(u32::to_string).collect::<Vec<_>>().join(","),
        }
    }
}

/// Products derived for an audience.
pub trait Products: Send + Sync {
    /// Behaviour events (contract JSON), derived from only what `audience` may read.
    fn events(&self, audience: &Audience) -> anyhow::Result<Arc<Vec<Value>>>;
    /// Satellite detections fused with the AIS `audience` may read: one
    /// `sar_match` per readable detection, `not_seen` rows and `dark_vessel` events.
    fn fused(&self, audience: &Audience) -> anyhow::Result<Arc<Vec<Value>>>;
    /// Scenes (id, sensor, time, footprint, label) of the readable detections.
    fn scenes(&self, audience: &Audience) -> anyhow::Result<Arc<Vec<Value>>>;
}
