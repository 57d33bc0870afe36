"""The core of tthc-bot: nothing of HTTP or the command line.

- `text.py`: Vietnamese text normalisation (NFC, tone-mark placement, folding), used by every layer;
- `knowledge/`: the data model of the knowledge files and the commune registry;
- `search/`: text normalisation, query parsing, keyword index, embedders, vector store, catalog, retrieval;
- `answers/`: the answer types, labels and messages, the extractive composer, follow-ups, grounding, generators;
- `voice/`: transcribers, transcript correction, the voice service;
- `database/`: tables, one repository per aggregate, migrations;
- `assistant.py` builds the answering core once; `conversation.py` owns one turn of a conversation.
"""
