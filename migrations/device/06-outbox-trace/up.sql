-- The W3C trace context of the step that made each event (NULL when the till exports no traces):
-- it travels with the event, and central links its span for the event to it.
ALTER TABLE outbox ADD COLUMN traceparent TEXT;
