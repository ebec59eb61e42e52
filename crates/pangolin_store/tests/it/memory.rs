use std::sync::Arc;

use pangolin_store::conformance::Subject;
use pangolin_store::memory::MemoryStore;

async fn subject() -> Subject {
    Subject {
        store: Arc::new(MemoryStore::new()),
        guard: Box::new(()),
    }
}

pangolin_store::conformance_suite!(subject);
