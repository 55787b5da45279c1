-- Which method produced a feedback row's sentiment: 'vader' (the offline
-- lexicon, always available) or 'llm' (the configured language model;
-- knowledge.LLMSentiment falls back to VADER when the model fails). Null
-- for rows written without it.
alter table feedback add column sentiment_source text
    check (sentiment_source in ('vader', 'llm'));

---- create above / drop below ----
alter table feedback drop column sentiment_source;
