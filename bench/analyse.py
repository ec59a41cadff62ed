"""Cost of `imm-bot analyse` per narrative (the listening engine, in process).

.venv/bin/python -m bench.analyse [--rounds 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

from conversations.listening import analyse

NARRATIVES = [
    "I'm not sure where to start. Everything has to be on Max's terms. He gets really anxious "
    "if I suggest anything different from what he wants and he's only four! I know it's "
    "important for kids to be independent but he won't listen to anyone and I worry he'll "
    "ignore his teacher and not learn new things.",
    "She doesn't really talk yet, just a few words like mama and more, and she points at "
    "things instead. Her cousin is the same age and chats away. I try to read with her every "
    "night but she wriggles off. I'm worried she's behind and gets frustrated when we don't "
    "understand her.",
    "Drop off is awful every morning. He clings to my leg and screams and the staff have to "
    "peel him off. He's fine ten minutes later they say but I go to work in tears. We had a "
    "new baby in the summer and moved house so maybe it's all too much change for him.",
    "He's really shy in groups. At home he's loud and silly and sings all day but at nursery "
    "he hides behind me and won't join in the circle. I love how creative he is, I just want "
    "him to feel brave enough to show everyone.",
    "Idk really she's fine mostly lol. Bit clumsy, falls over a lot, cant do the stairs on her "
    "own yet and struggles holding a crayon. The other kids run about and she gets left out "
    "and then upset.",
]


def main(rounds: int) -> None:
    """Time analyse() over the narratives and print per-narrative figures."""
    for text in NARRATIVES:  # warm the caches (content load, regex compile)
        analyse(text, "en", "Max")
    timings: list[float] = []
    for _ in range(rounds):
        for text in NARRATIVES:
            started = time.perf_counter()
            analyse(text, "en", "Max")
            timings.append(time.perf_counter() - started)
    timings.sort()
    words = statistics.mean(len(t.split()) for t in NARRATIVES)
    mean = statistics.mean(timings) * 1e3
    p50 = statistics.median(timings) * 1e3
    p95 = timings[int(0.95 * (len(timings) - 1))] * 1e3
    print(f"analyse(): {len(timings)} runs over {len(NARRATIVES)} narratives (~{words:.0f} words)")
    print(f"  mean {mean:.3f} ms, p50 {p50:.3f} ms, p95 {p95:.3f} ms  (target <= 1 ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    main(parser.parse_args().rounds)
