"""Spoken questions: transcribers (faster-whisper, openai-whisper), audio decoding and checks, correcting a
transcript with the knowledge base's vocabulary, and the voice service that bounds concurrent decodes."""
