"""The citizen side: a channel-agnostic dialogue engine (channel adapters build on it).

What a channel adapter does, and all it does:

1. Turn a platform update into a ``bot.events.Event`` (``text_or_command`` reads typed text;
   a button tap is a ``ButtonPress`` with the payload as received; files, contacts and
   locations have their own inputs). ``update_id`` must be unique per channel.
2. Call ``bot.engine.handle(session, event, deps=deps)`` inside its own transaction and commit
   (or ``handle_update(sessions, event, deps=deps)``, which does both). A repeated update id
   returns ``[]`` and changes nothing.
3. Deliver: every reply is already in the outbox (``kind=reply``, ``channel``, ``chat_ref``,
   payload ``{"text": markup, "buttons": [{"text": label, "data": payload}]}``) in the same
   transaction; the dispatcher sends the rows. The returned ``Reply`` list is the same content,
   for a channel that answers synchronously (web chat, terminal).
4. Render: ``**bold**``, "- " lists and ``[text](url)`` in the text; buttons natively, or with
   ``bot.replies.render_numbered`` where there are none (the engine accepts "1", "2"… back);
   ``split_text`` at the platform's limit; ``conversation_language`` for the chat's language.
"""
