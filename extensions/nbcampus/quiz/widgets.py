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
            parts.append(w.HTML(f"<pre class='nbcampus-code'>{_escape(question['code'])}</pre>"))
        super().__init__(
            parts + [field, label, self.feedback],
            layout=w.Layout(border="1px solid #ddd", padding="8px", margin="6px 0"),
        )
        self.add_class("nbcampus-question")
        self.add_class(f"nbcampus-question-{question['id']}")

    @property
    def answer(self) -> Any:
        raise NotImplementedError

    def restore(self, answer: Any) -> None:
        """Show an answer sent before (the learner's last attempt)."""
        self.field.value = "" if answer is None else str(answer)

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

    def restore(self, answer):
        if answer in [index for _, index in self.field.options]:
            self.field.value = answer


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

    def restore(self, answer):
        chosen = set(answer or [])
        for index, box in self.boxes:
            box.value = index in chosen


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
        self.field.add_class("nbcampus-code")

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


#: code and "what does this print" answers in the notebook's code font
STYLE = (
    "<style>.nbcampus-quiz .nbcampus-code, .nbcampus-quiz .nbcampus-code textarea "
    "{font-family: var(--jp-code-font-family, monospace); white-space: pre;}</style>"
)


class Quiz(w.VBox):
    """A quiz of the nbcampus service: ``Quiz("python-data", "week1-quiz")`` in a notebook cell.

    The notebook's own heading names the quiz. Submitting asks for a confirmation (saying how
    many questions are unanswered and which attempt it spends); a second click while an attempt
    is on its way does nothing, and Submit stays off once no attempt is left. Opened again, the
    quiz shows the learner's last answers, their feedback and the best score so far."""

    def __init__(self, course: str, quiz: str, client: QuizClient | None = None):
        self.course, self.quiz = course, quiz
        self.client = client or QuizClient()
        self.state = "answering"
        self.status = w.HTML()
        self.status.add_class("nbcampus-quiz-status")
        self.submit_button = w.Button(description="Submit", button_style="primary")
        self.submit_button.add_class("nbcampus-quiz-submit")
        self.submit_button.on_click(lambda _: self.ask_to_confirm())
        self.confirm_text = w.HTML()
        self.confirm_button = w.Button(description="Submit this attempt", button_style="primary")
        self.confirm_button.add_class("nbcampus-quiz-confirm")
        self.confirm_button.on_click(lambda _: self.submit())
        self.back_button = w.Button(description="Keep answering")
        self.back_button.add_class("nbcampus-quiz-back")
        self.back_button.on_click(lambda _: self.keep_answering())
        self.confirm_box = w.VBox(
            [self.confirm_text, w.HBox([self.confirm_button, self.back_button])],
            layout=w.Layout(display="none"),
        )
        self.confirm_box.add_class("nbcampus-quiz-confirmation")
        try:
            data = self.client.questions(course, quiz)
        except QuizError as e:
            super().__init__([w.HTML(f"<b>This quiz cannot be opened:</b> {_escape(str(e))}")])
            return
        self.questions = [WIDGETS[q["type"]](q) for q in data["questions"]]
        self.max_score = data["max_score"]
        self.max_attempts = data["max_attempts"]
        self.attempts = list(data["attempts"])
        self.header = w.HTML()
        self.header.add_class("nbcampus-quiz-attempts")
        if self.attempts:
            last = self.attempts[-1]
            for q in self.questions:
                q.restore((last.get("answers") or {}).get(q.question["id"]))
                if q.question["id"] in (last.get("feedback") or {}):
                    q.show_result(last["feedback"][q.question["id"]])
        self._show_standing()
        super().__init__(
            [
                w.HTML(STYLE),
                self.header,
                *self.questions,
                self.submit_button,
                self.confirm_box,
                self.status,
            ]
        )
        self.add_class("nbcampus-quiz")

    @property
    def used(self) -> int:
        return len(self.attempts)

    @property
    def attempts_left(self) -> int | None:
        return None if self.max_attempts is None else max(self.max_attempts - self.used, 0)

    def _show_standing(self) -> None:
        used = (
            f"Attempts used: {self.used}"
            if self.max_attempts is None
            else f"Attempts used: {self.used} of {self.max_attempts}"
        )
        best = ""
        if self.attempts:
            top = max(a["score"] for a in self.attempts)
            best = (
                f" · <b class='nbcampus-best'>Best score so far: {top:g} / {self.max_score:g}</b>"
            )
        self.header.value = f"<p>{used}{best}</p>"
        if self.attempts_left == 0:
            self.submit_button.disabled = True
            self.submit_button.description = "No attempts left"

    def answers(self) -> dict[str, Any]:
        return {q.question["id"]: q.answer for q in self.questions if q.answer not in (None, [])}

    def ask_to_confirm(self) -> None:
        """The first step of Submit: say what the attempt spends and what is unanswered."""
        if self.state != "answering" or self.attempts_left == 0:
            return
        self.state = "confirming"
        blank = len(self.questions) - len(self.answers())
        which = (
            f"attempt {self.used + 1}"
            if self.max_attempts is None
            else f"attempt {self.used + 1} of {self.max_attempts}"
        )
        warning = (
            f"<p class='nbcampus-unanswered' style='color:#b3261e'><b>{blank} question"
            f"{'s are' if blank != 1 else ' is'} unanswered</b> and will score 0.</p>"
            if blank
            else ""
        )
        self.confirm_text.value = f"{warning}<p>Submitting uses {which}.</p>"
        self.submit_button.disabled = True
        self.confirm_box.layout.display = "flex"

    def keep_answering(self) -> None:
        if self.state != "confirming":
            return
        self.state = "answering"
        self.confirm_box.layout.display = "none"
        self.submit_button.disabled = False

    def submit(self) -> None:
        """Send the answers once: clicks that arrive while it is on its way do nothing."""
        if self.state != "confirming":
            return
        self.state = "sending"
        self.confirm_box.layout.display = "none"
        try:
            result = self.client.submit(self.course, self.quiz, self.answers())
        except QuizError as e:
            self.status.value = f"<b style='color:#b3261e'>{_escape(str(e))}</b>"
            self.state = "answering"
            self.submit_button.disabled = False
            return
        for q in self.questions:
            q.show_result(result["feedback"][q.question["id"]])
        self.attempts.append(result)
        self.state = "answering"
        self.submit_button.disabled = False
        self._show_standing()
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
