"""Reading transcripts before they are stored: decoding, replacing names, finding speaker turns.

Nothing here touches the database; evaluation.services.transcripts ties the turns to
participants and saves them.
"""
