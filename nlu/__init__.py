"""Intent and entity recognition: training data in Rasa YAML, embedded classifier, Rasa backend."""
