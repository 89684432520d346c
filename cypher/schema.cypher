// Constraints and indexes of the shop graph, applied before any load (IF NOT EXISTS).
// Parameters: none. Returns: nothing.
// Business keys are unique; Neo4j internal ids are never used as public ids.
// Model embeddings live in two slots (embeddingA, embeddingB), each with its vector index:
// a new model is written into the slot that is not active, then switched to atomically.
// Experiments and their log (exposures, found by request id, user, time and experiment).
// (:RecordedEvent {eventId, sessionId, recordedAt}) is the bookkeeping of the event ids that
// shopgraph.events.record has seen (kept 7 days after recording, for idempotent retries).
CREATE CONSTRAINT user_id IF NOT EXISTS FOR (n:User) REQUIRE n.userId IS UNIQUE;
CREATE CONSTRAINT item_id IF NOT EXISTS FOR (n:Item) REQUIRE n.itemId IS UNIQUE;
CREATE CONSTRAINT brand_name IF NOT EXISTS FOR (n:Brand) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT category_code IF NOT EXISTS FOR (n:Category) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT session_id IF NOT EXISTS FOR (n:Session) REQUIRE n.sessionId IS UNIQUE;
CREATE CONSTRAINT order_id IF NOT EXISTS FOR (n:Order) REQUIRE n.orderId IS UNIQUE;
CREATE CONSTRAINT load_id IF NOT EXISTS FOR (n:Load) REQUIRE n.loadId IS UNIQUE;
CREATE INDEX session_start IF NOT EXISTS FOR (n:Session) ON (n.start);
CREATE INDEX order_at IF NOT EXISTS FOR (n:Order) ON (n.at);
CREATE INDEX order_kind IF NOT EXISTS FOR (n:Order) ON (n.kind);
CREATE INDEX category_level IF NOT EXISTS FOR (n:Category) ON (n.level);
CREATE CONSTRAINT model_version IF NOT EXISTS FOR (n:ModelVersion) REQUIRE n.version IS UNIQUE;
CREATE CONSTRAINT bundle_stats_key IF NOT EXISTS FOR (n:BundleStats) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT experiment_name IF NOT EXISTS FOR (n:Experiment) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT exposure_request_id IF NOT EXISTS FOR (n:Exposure) REQUIRE n.requestId IS UNIQUE;
CREATE INDEX exposure_user IF NOT EXISTS FOR (n:Exposure) ON (n.userId);
CREATE INDEX exposure_at IF NOT EXISTS FOR (n:Exposure) ON (n.at);
CREATE INDEX exposure_experiment IF NOT EXISTS FOR (n:Exposure) ON (n.experiment);
CREATE CONSTRAINT recorded_event_id IF NOT EXISTS FOR (n:RecordedEvent) REQUIRE n.eventId IS UNIQUE;
CREATE INDEX recorded_event_at IF NOT EXISTS FOR (n:RecordedEvent) ON (n.recordedAt);
CREATE INDEX recorded_event_session IF NOT EXISTS FOR (n:RecordedEvent) ON (n.sessionId);
CREATE VECTOR INDEX item_embedding_a IF NOT EXISTS FOR (n:Item) ON (n.embeddingA)
  OPTIONS {indexConfig: {`vector.similarity_function`: 'cosine'}};
CREATE VECTOR INDEX item_embedding_b IF NOT EXISTS FOR (n:Item) ON (n.embeddingB)
  OPTIONS {indexConfig: {`vector.similarity_function`: 'cosine'}}
