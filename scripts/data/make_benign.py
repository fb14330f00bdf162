"""Write scripts/data/benign_varied.txt: ordinary prompts of many kinds, for training only.

Everyday knowledge questions (places, companies, dates, public figures, numbers), neutral
statements and questions about every identity group, security and safety questions people
ask to protect themselves, and questions that hold trigger words in a harmless sense. They
are negatives for scripts/train_heads.py, so that a head does not learn that a question
about Jupiter, a statement about Muslims or "how do I encrypt my data" is harmful. Written
for guard from templates (project license); never used to score anything.

    python scripts/data/make_benign.py   # rewrites scripts/data/benign_varied.txt
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

PLACES = [
    "France",
    "Japan",
    "Brazil",
    "Kenya",
    "Canada",
    "India",
    "Norway",
    "Peru",
    "Egypt",
    "Vietnam",
    "Australia",
    "Mexico",
    "Poland",
    "Ghana",
    "Chile",
    "Texas",
    "Bavaria",
    "Tokyo",
    "Lagos",
    "Paris",
    "Istanbul",
    "Toronto",
    "Mumbai",
    "Cairo",
    "Seoul",
]
COMPANIES = [
    "Microsoft",
    "Apple",
    "Amazon",
    "Toyota",
    "Siemens",
    "Samsung",
    "Netflix",
    "IKEA",
    "Nestle",
    "Tesla",
    "Google",
    "Airbus",
    "Spotify",
    "Nintendo",
    "Unilever",
]
PEOPLE = [
    "Albert Einstein",
    "Marie Curie",
    "Nelson Mandela",
    "Ada Lovelace",
    "Frida Kahlo",
    "Isaac Newton",
    "Mahatma Gandhi",
    "Rosa Parks",
    "Leonardo da Vinci",
    "Alan Turing",
    "Jane Austen",
    "Martin Luther King Jr.",
    "Confucius",
    "Simon Bolivar",
    "Wangari Maathai",
]
PLANETS = ["Jupiter", "Saturn", "Mars", "Neptune", "Uranus", "Venus", "Mercury"]
EVENTS = [
    "the French Revolution",
    "the Apollo 11 landing",
    "the fall of the Berlin Wall",
    "the signing of the Magna Carta",
    "World War I",
    "the Meiji Restoration",
    "the Industrial Revolution",
    "the Black Death",
    "the founding of the United Nations",
]
TOPICS = [
    "photosynthesis",
    "inflation",
    "black holes",
    "plate tectonics",
    "the immune system",
    "blockchain",
    "compound interest",
    "climate change",
    "vaccines",
    "machine learning",
    "the water cycle",
    "supply and demand",
    "DNA replication",
    "nuclear fusion",
]
GROUPS = [
    "women",
    "men",
    "Muslims",
    "Jews",
    "Christians",
    "Hindus",
    "Buddhists",
    "Sikhs",
    "atheists",
    "LGBTQ people",
    "gay men",
    "lesbians",
    "bisexual people",
    "transgender people",
    "nonbinary people",
    "immigrants",
    "refugees",
    "Black people",
    "Asian Americans",
    "Chinese people",
    "Latino people",
    "Mexican people",
    "Native Americans",
    "Arab people",
    "Indian people",
    "people with disabilities",
    "deaf people",
    "blind people",
    "autistic people",
    "older people",
    "teenagers",
    "veterans",
    "single parents",
    "Roma people",
    "Indigenous Australians",
]
FIELDS = [
    "science",
    "politics",
    "engineering",
    "medicine",
    "sports",
    "business",
    "the arts",
    "technology",
    "law",
    "journalism",
]

KNOWLEDGE = [
    "What is the capital of {place}?",
    "What is the population of {place}?",
    "What language is spoken in {place}?",
    "What is the climate like in {place}?",
    "Summarize the history of {company}.",
    "Who founded {company}?",
    "Who is the CEO of {company}?",
    "Compare {company} and {company2} in a few sentences.",
    "Who was {person}?",
    "What is {person} known for?",
    "When was {person} born?",
    "Write a short biography of {person}.",
    "How many moons does {planet} have?",
    "How far is {planet} from the Sun?",
    "What happened during {event}?",
    "When did {event} take place?",
    "Explain {topic} in simple terms.",
    "How does {topic} work?",
    "Give me three facts about {topic}.",
]
GROUP_TEMPLATES = [
    "{group} have been underrepresented in {field} for decades.",
    "Many {group} are independent and live full lives.",
    "{group} have made important contributions to {field}.",
    "What are common misconceptions about {group}?",
    "Tell me about the history of {group} in the United States.",
    "How can workplaces be more welcoming to {group}?",
    "Some of my friends are {group}.",
    "Statistics on {group} in {field}",
    "Write a short story whose main character is one of the {group} of a small town.",
    "What challenges do {group} face in finding housing?",
]
SAFETY = [
    "How can I encrypt my sensitive data?",
    "How do I protect my account from phishing?",
    "What household chemicals should never be mixed?",
    "How do I safely dispose of old medication?",
    "How can I tell if an email is a scam?",
    "How do I report credit card fraud?",
    "What should I do if I smell gas at home?",
    "How do firewalls work?",
    "What are the signs of a stroke?",
    "How do I de-escalate a heated argument with a colleague?",
    "How can I disarm a tense conversation at work?",
    "How do I set up two-factor authentication?",
    "What is ransomware and how do I protect my laptop from it?",
    "How do I store kitchen knives safely with children at home?",
    "What should a first aid kit contain?",
    "How do I recognize a phishing website?",
    "How do hospitals prevent the spread of infections?",
    "What is the safest way to jump-start a car?",
    "How do I keep my kids safe online?",
    "How can I check whether my password was leaked?",
    "How do penetration testers get permission before testing a network?",
    "What is the difference between a virus and a worm in computing?",
    "How do I back up my phone securely?",
    "What should I do after a dog bite?",
    "How do I know if a mushroom I found is poisonous? I won't eat it, I want to learn.",
    "Why is carbon monoxide dangerous?",
    "How do smoke detectors work?",
]
TRIGGER_WORDS = [
    "How do I kill a zombie process in Linux?",
    "What's the best way to shoot portraits outdoors?",
    "How do I terminate a lease early?",
    "How do I attack the Sicilian Defense in chess?",
    "Tell me about Amazon rainforest deforestation.",
    "What was the Manhattan Project?",
    "How do I execute a Python script from the terminal?",
    "Why did the Roman Empire fall?",
    "How do I crack an egg with one hand?",
    "How do I blow up a balloon without a pump?",
    "What does it mean to kill it on stage?",
    "How do I hack together a quick prototype?",
    "How do I get rid of weeds in my garden?",
    "How do I break into the film industry?",
    "How do I steal the show at a talent contest?",
    "What is a lethal dose in pharmacology, as a concept?",
    "How do vaccines train the immune system?",
    "What is the plot of Macbeth?",
    "How do I fire an employee respectfully?",
    "How did gunpowder change medieval warfare?",
    "How do I destroy old hard drives before recycling them?",
    "Where can I buy a kitchen knife?",
    "What is a bomb calorimeter used for?",
    "How do I exploit a market gap as a small business?",
    "How do I shoot a basketball free throw?",
    "How do I poison-proof my garden for my dog?",
    "Explain how a nuclear power plant works.",
    "What are the symptoms of an overdose, so I can help someone?",
]


def main() -> None:
    rng = random.Random(20261202)
    lines: set[str] = set()
    for template in KNOWLEDGE:
        for _ in range(8):
            company, company2 = rng.sample(COMPANIES, 2)
            lines.add(
                template.format(
                    place=rng.choice(PLACES),
                    company=company,
                    company2=company2,
                    person=rng.choice(PEOPLE),
                    planet=rng.choice(PLANETS),
                    event=rng.choice(EVENTS),
                    topic=rng.choice(TOPICS),
                )
            )
    for template, group in itertools.product(GROUP_TEMPLATES, GROUPS):
        if rng.random() < 0.5:
            text = template.format(group=group, field=rng.choice(FIELDS))
            lines.add(text[0].upper() + text[1:])
    lines.update(SAFETY)
    lines.update(TRIGGER_WORDS)
    out = Path(__file__).with_name("benign_varied.txt")
    header = [
        "# Ordinary prompts of many kinds (knowledge questions, identity groups, safety and",
        "# security questions, harmless trigger words), from scripts/data/make_benign.py",
        "# (project license). Negatives for training only; never used to score.",
    ]
    out.write_text("\n".join(header + sorted(lines)) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} prompts to {out}")


if __name__ == "__main__":
    main()
