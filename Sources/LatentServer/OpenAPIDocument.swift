/// The OpenAPI 3 document of the service, served at `/openapi.json`. A test checks that it names exactly the routes
/// the router answers and that every response it documents has the shape the service sends.
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.0.3",
      "info": {
        "title": "Latent",
        "version": "1",
        "description": "Recommendations from a trained latent-factor model. Identifiers are strings. Ratings posted are stored in SQLite and folded into the model at once. Writes need 'Authorization: Bearer TOKEN' when the server was started with --token-file (401 without it, 403 with a wrong one). Errors are {\"error\": \"...\"}."
      },
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "parameters": {
          "user": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "A user's identifier."},
          "item": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "An item's identifier."},
          "count": {"name": "count", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 10}},
          "metric": {"name": "metric", "in": "query", "schema": {"type": "string", "enum": ["euclidean", "cosine"]}}
        },
        "responses": {
          "error": {"description": "An error.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
          "ItemList": {
            "type": "object", "required": ["items"],
            "properties": {
              "user": {"type": "string"},
              "item": {"type": "string"},
              "items": {"type": "array", "items": {"$ref": "#/components/schemas/ScoredItem"}}
            }
          },
          "ScoredItem": {
            "type": "object", "required": ["item", "score"],
            "properties": {"item": {"type": "string"}, "score": {"type": "number"}, "title": {"type": "string"}}
          },
          "SimilarUsers": {
            "type": "object", "required": ["user", "users"],
            "properties": {
              "user": {"type": "string"},
              "users": {"type": "array", "items": {"type": "object", "required": ["user", "score"],
                        "properties": {"user": {"type": "string"}, "score": {"type": "number"}}}}
            }
          },
          "Prediction": {
            "type": "object", "required": ["user", "item", "prediction", "known_user", "known_item"],
            "properties": {
              "user": {"type": "string"}, "item": {"type": "string"}, "prediction": {"type": "number"},
              "known_user": {"type": "boolean"}, "known_item": {"type": "boolean"}
            }
          },
          "RatingInput": {
            "type": "object", "required": ["item"],
            "properties": {
              "item": {"type": "string"},
              "rating": {"type": "number", "description": "Required for rating models, within the model's scale; for ranking models an optional positive weight (1)."}
            }
          },
          "Rating": {
            "type": "object", "required": ["item", "rating"],
            "properties": {"item": {"type": "string"}, "rating": {"type": "number"}, "title": {"type": "string"},
                           "time": {"type": "number", "description": "When it was stored, seconds since 1970."}}
          },
          "UserRatings": {
            "type": "object", "required": ["user", "known_user", "model", "stored"],
            "properties": {
              "user": {"type": "string"}, "known_user": {"type": "boolean"},
              "model": {"type": "array", "items": {"$ref": "#/components/schemas/Rating"}},
              "stored": {"type": "array", "items": {"$ref": "#/components/schemas/Rating"}}
            }
          },
          "Post": {
            "type": "object", "required": ["user", "stored", "ratings"],
            "properties": {"user": {"type": "string"}, "stored": {"type": "integer"}, "ratings": {"type": "integer"}}
          },
          "Item": {
            "type": "object", "required": ["item", "categories", "hidden", "in_model"],
            "properties": {
              "item": {"type": "string"}, "title": {"type": "string"},
              "categories": {"type": "array", "items": {"type": "string"}},
              "hidden": {"type": "boolean"}, "in_model": {"type": "boolean"}
            }
          },
          "ItemUpdate": {
            "type": "object",
            "properties": {"title": {"type": "string"}, "categories": {"type": "array", "items": {"type": "string"}},
                           "hidden": {"type": "boolean"}}
          },
          "Items": {
            "type": "object", "required": ["items"],
            "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}
          },
          "Health": {
            "type": "object",
            "required": ["status", "model", "model_file", "generation", "task", "users", "items", "folded_users", "ratings_stored", "catalog_items"],
            "properties": {
              "status": {"type": "string"}, "model": {"type": "string"}, "model_file": {"type": "string"},
              "generation": {"type": "integer"}, "task": {"type": "string", "enum": ["rating", "ranking"]},
              "rating_scale": {"type": "array", "items": {"type": "number"}},
              "users": {"type": "integer"}, "items": {"type": "integer"}, "folded_users": {"type": "integer"},
              "ratings_stored": {"type": "integer"}, "catalog_items": {"type": "integer"}
            }
          }
        }
      },
      "paths": {
        "/": {
          "get": {"summary": "The web page: browse, rate, see recommendations.",
                  "responses": {"200": {"description": "HTML.", "content": {"text/html": {"schema": {"type": "string"}}}}}}
        },
        "/health": {
          "get": {"summary": "The model served and the store.",
                  "responses": {"200": {"description": "OK.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}}}
        },
        "/metrics": {
          "get": {"summary": "Prometheus text format: requests and latency by route and status, ratings stored, model facts.",
                  "responses": {"200": {"description": "Metrics.", "content": {"text/plain": {"schema": {"type": "string"}}}}}}
        },
        "/openapi.json": {
          "get": {"summary": "This document.",
                  "responses": {"200": {"description": "OpenAPI 3.", "content": {"application/json": {"schema": {"type": "object"}}}}}}
        },
        "/users/{id}/recommendations": {
          "get": {
            "summary": "The best items for a user, leaving out what they rated (in the model or the store) and hidden items.",
            "parameters": [
              {"$ref": "#/components/parameters/user"}, {"$ref": "#/components/parameters/count"},
              {"name": "allow", "in": "query", "schema": {"type": "string"}, "description": "Only these items (comma-separated)."},
              {"name": "deny", "in": "query", "schema": {"type": "string"}, "description": "Never these items (comma-separated)."},
              {"name": "category", "in": "query", "schema": {"type": "string"}, "description": "Only items of this category."}
            ],
            "responses": {
              "200": {"description": "Best first.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ItemList"}}}},
              "400": {"$ref": "#/components/responses/error"},
              "404": {"$ref": "#/components/responses/error"}
            }
          }
        },
        "/users/{id}/similar": {
          "get": {
            "summary": "The users most similar to a user by the model's user vectors (cosine by default): a user with stored ratings by their fold-in vector, a user of the model without stored ratings by their trained one. 404 for a user with no ratings anywhere; 422 when the model has no user vectors (item-knn, ease, rp3beta, popularity, baselines).",
            "parameters": [{"$ref": "#/components/parameters/user"}, {"$ref": "#/components/parameters/count"}, {"$ref": "#/components/parameters/metric"}],
            "responses": {
              "200": {"description": "Most similar first.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SimilarUsers"}}}},
              "400": {"$ref": "#/components/responses/error"},
              "404": {"$ref": "#/components/responses/error"},
              "422": {"$ref": "#/components/responses/error"}
            }
          }
        },
        "/users/{id}/ratings": {
          "get": {
            "summary": "What the model was trained on for the user and what the store holds.",
            "parameters": [{"$ref": "#/components/parameters/user"}],
            "responses": {"200": {"description": "The ratings.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserRatings"}}}}}
          },
          "post": {
            "summary": "Store ratings in one transaction and fold the user in again; a new user becomes known.",
            "security": [{"bearer": []}],
            "parameters": [{"$ref": "#/components/parameters/user"}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/RatingInput"}}}}},
            "responses": {
              "200": {"description": "Stored.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Post"}}}},
              "400": {"$ref": "#/components/responses/error"},
              "401": {"$ref": "#/components/responses/error"},
              "403": {"$ref": "#/components/responses/error"},
              "404": {"$ref": "#/components/responses/error"},
              "413": {"$ref": "#/components/responses/error"},
              "422": {"$ref": "#/components/responses/error"}
            }
          }
        },
        "/users/{id}/ratings/{item}": {
          "delete": {
            "summary": "Delete a stored rating and fold the user in again.",
            "security": [{"bearer": []}],
            "parameters": [{"$ref": "#/components/parameters/user"}, {"name": "item", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {
              "200": {"description": "Deleted.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Post"}}}},
              "401": {"$ref": "#/components/responses/error"},
              "403": {"$ref": "#/components/responses/error"},
              "404": {"$ref": "#/components/responses/error"}
            }
          }
        },
        "/items": {
          "get": {
            "summary": "Catalog entries whose title contains the query, most rated first.",
            "parameters": [{"name": "query", "in": "query", "schema": {"type": "string"}},
                           {"name": "count", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 20}}],
            "responses": {
              "200": {"description": "Entries.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Items"}}}},
              "400": {"$ref": "#/components/responses/error"}
            }
          }
        },
        "/items/{id}": {
          "get": {
            "summary": "One catalog entry.",
            "parameters": [{"$ref": "#/components/parameters/item"}],
            "responses": {
              "200": {"description": "The entry.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
              "404": {"$ref": "#/components/responses/error"}
            }
          },
          "put": {
            "summary": "Create or replace a catalog entry; hidden items are never recommended.",
            "security": [{"bearer": []}],
            "parameters": [{"$ref": "#/components/parameters/item"}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ItemUpdate"}}}},
            "responses": {
              "200": {"description": "The entry.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
              "400": {"$ref": "#/components/responses/error"},
              "401": {"$ref": "#/components/responses/error"},
              "403": {"$ref": "#/components/responses/error"},
              "413": {"$ref": "#/components/responses/error"},
              "422": {"$ref": "#/components/responses/error"}
            }
          }
        },
        "/items/{id}/similar": {
          "get": {
            "summary": "The items most related to an item by the model's item vectors (euclidean by default; the score is the negated distance).",
            "parameters": [{"$ref": "#/components/parameters/item"}, {"$ref": "#/components/parameters/count"}, {"$ref": "#/components/parameters/metric"}],
            "responses": {
              "200": {"description": "Most related first.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ItemList"}}}},
              "400": {"$ref": "#/components/responses/error"},
              "404": {"$ref": "#/components/responses/error"},
              "422": {"$ref": "#/components/responses/error"}
            }
          }
        },
        "/predict": {
          "get": {
            "summary": "A predicted rating, clipped to the scale; unknown users or items get the model's fallback.",
            "parameters": [{"name": "user", "in": "query", "required": true, "schema": {"type": "string"}},
                           {"name": "item", "in": "query", "required": true, "schema": {"type": "string"}}],
            "responses": {
              "200": {"description": "The prediction.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Prediction"}}}},
              "400": {"$ref": "#/components/responses/error"}
            }
          }
        },
        "/admin/reload": {
          "post": {
            "summary": "Read the model file again and fold the stored ratings into it (as SIGHUP does); requests in flight finish on the old model.",
            "security": [{"bearer": []}],
            "responses": {
              "200": {"description": "Reloaded.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
              "401": {"$ref": "#/components/responses/error"},
              "403": {"$ref": "#/components/responses/error"},
              "500": {"$ref": "#/components/responses/error"}
            }
          }
        }
      }
    }
    """#
}
