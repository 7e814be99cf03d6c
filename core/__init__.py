"""The floor every stage stands on: the mention and alert models, text folding and the one tokenizer, time buckets,
canonical URLs, the one date parser and the configuration schema. Imports nothing else of Ascolto."""
