"""One ipywidgets widget per question type, and the Quiz that puts them together."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from nbcampus.quiz.client import QuizClient, QuizError


class Question(w.VBox):
    """A question: its prompt (Markdown) above an input; ``answer`` is what the API expects."""

    def __init__(self, question: dict[str, Any], field: w.Widget):
        self.question = question
        self.field = field
        self.feedback = w.HTML()
        prompt = w.HTML(_markdown(question["prompt"]))
        points = question["points"]
        label = w.HTML(f"<small>{points:g} point{'s' if points != 1 else ''}</small>")
        parts = [prompt]
        if question.get("code"):
            parts.append(w.HTML(f"<pre>{_escape(question['code'])}</pre>"))
        super().__init__(
            parts + [field, label, self.feedback],
            layout=w.Layout(border="1px solid #ddd", padding="8px", margin="6px 0"),
        )
        self.add_class("nbcampus-question")
        self.add_class(f"nbcampus-question-{question['id']}")

    @property
    def answer(self) -> Any:
        raise NotImplementedError

    def show_result(self, result: dict[str, Any]) -> None:
        ok = result["correct"]
        self.feedback.value = (
            f"<b style='color:{'#16794c' if ok else '#b3261e'}'>"
            f"{'Correct' if ok else 'Not correct'}</b> "
            f"({result['points']:g}/{result['max_points']:g})"
        )


class SingleChoice(Question):
    def __init__(self, question):
        options = [(o["text"], o["index"]) for o in question["options"]]
        super().__init__(question, w.RadioButtons(options=options, value=None))

    @property
    def answer(self):
        return self.field.value


class MultipleChoice(Question):
    def __init__(self, question):
        self.boxes = [
            (
                o["index"],
                w.Checkbox(
                    description=_inline(o["text"]), description_allow_html=True, indent=False
                ),
            )
            for o in question["options"]
        ]
        super().__init__(question, w.VBox([box for _, box in self.boxes]))

    @property
    def answer(self):
        return [index for index, box in self.boxes if box.value]


class Numeric(Question):
    def __init__(self, question):
        super().__init__(question, w.Text(placeholder="a number"))

    @property
    def answer(self):
        text = self.field.value.strip()
        return text or None


class ShortText(Question):
    def __init__(self, question):
        super().__init__(question, w.Text(placeholder="your answer"))

    @property
    def answer(self):
        return self.field.value or None


class CodeOutput(Question):
    def __init__(self, question):
        super().__init__(question, w.Textarea(placeholder="what the code prints"))

    @property
    def answer(self):
        return self.field.value or None


WIDGETS = {
    "single": SingleChoice,
    "multiple": MultipleChoice,
    "numeric": Numeric,
    "text": ShortText,
    "output": CodeOutput,
}


class Quiz(w.VBox):
    """A quiz of the nbcampus service: ``Quiz("python-data", "week1-quiz")`` in a notebook cell."""

    def __init__(self, course: str, quiz: str, client: QuizClient | None = None):
        self.course, self.quiz = course, quiz
        self.client = client or QuizClient()
        self.status = w.HTML()
        self.status.add_class("nbcampus-quiz-status")
        self.submit_button = w.Button(description="Submit", button_style="primary")
        self.submit_button.add_class("nbcampus-quiz-submit")
        self.submit_button.on_click(lambda _: self.submit())
        try:
            data = self.client.questions(course, quiz)
        except QuizError as e:
            super().__init__([w.HTML(f"<b>This quiz cannot be opened:</b> {_escape(str(e))}")])
            return
        self.questions = [WIDGETS[q["type"]](q) for q in data["questions"]]
        self.max_attempts = data["max_attempts"]
        self.used = len(data["attempts"])
        header = w.HTML(f"<h2>{_escape(data['title'])}</h2>{self._attempts_text()}")
        self.header = header
        super().__init__([header, *self.questions, self.submit_button, self.status])
        self.add_class("nbcampus-quiz")

    def _attempts_text(self) -> str:
        if self.max_attempts is None:
            return f"<p>Attempts used: {self.used}</p>"
        return f"<p>Attempts used: {self.used} of {self.max_attempts}</p>"

    def answers(self) -> dict[str, Any]:
        return {q.question["id"]: q.answer for q in self.questions if q.answer not in (None, [])}

    def submit(self) -> None:
        self.submit_button.disabled = True
        try:
            result = self.client.submit(self.course, self.quiz, self.answers())
        except QuizError as e:
            self.status.value = f"<b style='color:#b3261e'>{_escape(str(e))}</b>"
            return
        finally:
            self.submit_button.disabled = False
        for q in self.questions:
            q.show_result(result["feedback"][q.question["id"]])
        self.used = result["attempt"]
        self.header.value = self.header.value.split("<p>")[0] + self._attempts_text()
        self.status.value = (
            f"<b class='nbcampus-score'>Score: {result['score']:g} / {result['max_score']:g}</b>"
        )


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def _markdown(text: str) -> str:
    import mistune  # nbconvert's Markdown renderer; raw HTML in prompts is escaped

    return mistune.create_markdown(escape=True)(text)


def _inline(text: str) -> str:
    """One line of Markdown as HTML without the paragraph around it (option labels)."""
    html = _markdown(text).strip()
    return html[3:-4] if html.startswith("<p>") and html.endswith("</p>") else html
