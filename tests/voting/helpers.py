import re

RECEIPT_RE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")
HOST = {"HTTP_HOST": "changwon.test"}


def ballot_data(poll, single=0, multiple=(0,), ranking=(0, 1, 2)):
    """Form data choosing options by position; ranking gives ranks 1.. to options by position."""
    single_q, multiple_q, ranking_q = poll.question_list
    data = {}
    data[f"q{single_q.pk}"] = str(list(single_q.options.all())[single].pk)
    options = list(multiple_q.options.all())
    data[f"q{multiple_q.pk}"] = [str(options[i].pk) for i in multiple]
    options = list(ranking_q.options.all())
    for rank, position in enumerate(ranking, start=1):
        data[f"q{ranking_q.pk}_o{options[position].pk}"] = str(rank)
    return data


def post_vote(client, poll, data, *, action="vote", receipt=None, confirm=True):
    payload = {**data, "action": action}
    if receipt is not None:
        payload["receipt"] = receipt
    if confirm:
        payload["confirm"] = "yes"
    return client.post(poll.url, payload, **HOST)


def receipt_in(response):
    match = RECEIPT_RE.search(response.content.decode())
    return match.group(0) if match else None
